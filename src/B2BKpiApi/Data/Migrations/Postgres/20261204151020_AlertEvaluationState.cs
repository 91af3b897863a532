using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace B2BKpiApi.Data.Migrations.Postgres
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
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "RetryAt",
                table: "AlertRules",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AlertSchedules",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    SettlingVersion = table.Column<long>(type: "bigint", nullable: true),
                    SettlingSince = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    FirstSeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ClaimedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    LastTurnAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastEvaluatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
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
