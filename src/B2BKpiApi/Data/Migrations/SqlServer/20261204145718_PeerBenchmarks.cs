using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace B2BKpiApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class PeerBenchmarks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PeerBenchmarkRuns",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false),
                    LeaseHolder = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    LeaseUntil = table.Column<DateTime>(type: "datetime2", nullable: true),
                    RequestedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    LastStartedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    LastCompletedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PeerBenchmarkRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PeerBenchmarkSettings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    OptIn = table.Column<bool>(type: "bit", nullable: false),
                    Industry = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    SizeBand = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PeerBenchmarkSettings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PeerBenchmarkSettings_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PeerBenchmarkSnapshots",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    KpiId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    PeriodKind = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    PeriodFrom = table.Column<DateOnly>(type: "date", nullable: false),
                    PeriodTo = table.Column<DateOnly>(type: "date", nullable: false),
                    Cohort = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Industry = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    SizeBand = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    TenantCount = table.Column<int>(type: "int", nullable: false),
                    P10 = table.Column<decimal>(type: "decimal(28,8)", precision: 28, scale: 8, nullable: true),
                    P25 = table.Column<decimal>(type: "decimal(28,8)", precision: 28, scale: 8, nullable: false),
                    P50 = table.Column<decimal>(type: "decimal(28,8)", precision: 28, scale: 8, nullable: false),
                    P75 = table.Column<decimal>(type: "decimal(28,8)", precision: 28, scale: 8, nullable: false),
                    P90 = table.Column<decimal>(type: "decimal(28,8)", precision: 28, scale: 8, nullable: true),
                    Members = table.Column<string>(type: "nvarchar(max)", maxLength: 1000000, nullable: false),
                    Published = table.Column<bool>(type: "bit", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    CheckedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PeerBenchmarkSnapshots", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "PeerBenchmarkRuns",
                columns: new[] { "Id", "LastCompletedAt", "LastStartedAt", "LeaseHolder", "LeaseUntil", "RequestedAt" },
                values: new object[] { 1, null, null, null, null, null });

            migrationBuilder.CreateIndex(
                name: "IX_PeerBenchmarkSettings_TenantId",
                table: "PeerBenchmarkSettings",
                column: "TenantId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PeerBenchmarkSnapshots_KpiId_PeriodFrom_PeriodTo_Cohort_Industry_SizeBand",
                table: "PeerBenchmarkSnapshots",
                columns: new[] { "KpiId", "PeriodFrom", "PeriodTo", "Cohort", "Industry", "SizeBand" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PeerBenchmarkRuns");

            migrationBuilder.DropTable(
                name: "PeerBenchmarkSettings");

            migrationBuilder.DropTable(
                name: "PeerBenchmarkSnapshots");
        }
    }
}
