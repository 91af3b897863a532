using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace B2BKpiApi.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ChurnRisk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ChurnModels",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Method = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    MethodReason = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    TrainedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DataVersion = table.Column<long>(type: "bigint", nullable: true),
                    AsOf = table.Column<DateOnly>(type: "date", nullable: true),
                    ChurnEvents = table.Column<int>(type: "integer", nullable: false),
                    Parameters = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    BackTest = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    ClaimToken = table.Column<Guid>(type: "uuid", nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChurnModels", x => x.TenantId);
                    table.ForeignKey(
                        name: "FK_ChurnModels_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChurnModels");
        }
    }
}
