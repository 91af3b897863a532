using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace B2BKpiApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class AlertEvaluationState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "EvaluationFailures",
                table: "AlertRules",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "RetryAt",
                table: "AlertRules",
                type: "datetime2",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AlertSchedules",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    SettlingVersion = table.Column<long>(type: "bigint", nullable: true),
                    SettlingSince = table.Column<DateTime>(type: "datetime2", nullable: true),
                    FirstSeenAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "datetime2", nullable: true),
                    ClaimedBy = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    LastTurnAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    LastEvaluatedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertSchedules", x => x.TenantId);
                    table.ForeignKey(
                        name: "FK_AlertSchedules_Tenants_TenantId",
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
                name: "AlertSchedules");

            migrationBuilder.DropColumn(
                name: "EvaluationFailures",
                table: "AlertRules");

            migrationBuilder.DropColumn(
                name: "RetryAt",
                table: "AlertRules");
        }
    }
}
