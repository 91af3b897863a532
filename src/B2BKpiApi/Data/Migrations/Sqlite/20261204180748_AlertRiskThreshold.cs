using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace B2BKpiApi.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AlertRiskThreshold : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "RiskThreshold",
                table: "AlertRules",
                type: "TEXT",
                precision: 5,
                scale: 4,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RiskThreshold",
                table: "AlertRules");
        }
    }
}
