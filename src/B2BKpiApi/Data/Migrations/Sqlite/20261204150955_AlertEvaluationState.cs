using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace B2BKpiApi.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "RetryAt",
                table: "AlertRules",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AlertSchedules",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SettlingVersion = table.Column<long>(type: "INTEGER", nullable: true),
                    SettlingSince = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FirstSeenAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ClaimedUntil = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ClaimedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    LastTurnAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastEvaluatedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
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
