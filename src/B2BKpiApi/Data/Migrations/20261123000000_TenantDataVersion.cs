using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace B2BKpiApi.Data.Migrations;

/// <summary>Tenants.DataVersion: a counter raised by every write to a tenant's records, the key of cached KPI results.</summary>
[DbContext(typeof(KpiDbContext))]
[Migration("20261123000000_TenantDataVersion")]
public sealed class TenantDataVersion : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<long>(name: "DataVersion", table: "Tenants", nullable: false, defaultValue: 0L);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "DataVersion", table: "Tenants");
}
