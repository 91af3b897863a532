using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace B2BKpiApi.Data.Migrations;

/// <summary>
/// Written by hand (EF Core Design cannot be restored here). Columns carry no store type, so the
/// same migration creates TEXT/INTEGER on SQLite and uuid/date/bigint on PostgreSQL.
/// MigrationSchemaTests checks that a migrated database has exactly the model's schema.
/// </summary>
[DbContext(typeof(KpiDbContext))]
[Migration("20261122000000_Initial")]
public sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Tenants",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                Industry = table.Column<string>(maxLength: 200, nullable: false),
                Currency = table.Column<string>(maxLength: 3, nullable: false),
                ApiKeyId = table.Column<string>(maxLength: 32, nullable: false),
                ApiKeyHash = table.Column<byte[]>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Tenants", x => x.Id));

        migrationBuilder.CreateIndex("IX_Tenants_ApiKeyId", "Tenants", "ApiKeyId", unique: true);

        migrationBuilder.CreateTable(
            name: "Clients",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                TenantId = table.Column<Guid>(nullable: false),
                ExternalId = table.Column<string>(maxLength: 100, nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                AcquiredOn = table.Column<DateOnly>(nullable: false),
                ChurnedOn = table.Column<DateOnly>(nullable: true),
                Industry = table.Column<string>(maxLength: 200, nullable: true),
                Segment = table.Column<string>(maxLength: 200, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Clients", x => x.Id);
                table.ForeignKey("FK_Clients_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_Clients_TenantId_AcquiredOn", "Clients", ["TenantId", "AcquiredOn"]);
        migrationBuilder.CreateIndex("IX_Clients_TenantId_ChurnedOn", "Clients", ["TenantId", "ChurnedOn"]);
        migrationBuilder.CreateIndex("IX_Clients_TenantId_ExternalId", "Clients", ["TenantId", "ExternalId"], unique: true);

        migrationBuilder.CreateTable(
            name: "Contracts",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                TenantId = table.Column<Guid>(nullable: false),
                ExternalId = table.Column<string>(maxLength: 100, nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
                ClientId = table.Column<Guid>(nullable: false),
                SignedOn = table.Column<DateOnly>(nullable: false),
                StartsOn = table.Column<DateOnly>(nullable: false),
                EndsOn = table.Column<DateOnly>(nullable: false),
                ValueMinor = table.Column<long>(nullable: false),
                Currency = table.Column<string>(maxLength: 3, nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Contracts", x => x.Id);
                table.ForeignKey("FK_Contracts_Clients_ClientId", x => x.ClientId, "Clients", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_Contracts_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_Contracts_ClientId", "Contracts", "ClientId");
        migrationBuilder.CreateIndex("IX_Contracts_TenantId_ExternalId", "Contracts", ["TenantId", "ExternalId"], unique: true);
        migrationBuilder.CreateIndex("IX_Contracts_TenantId_SignedOn", "Contracts", ["TenantId", "SignedOn"]);
        migrationBuilder.CreateIndex("IX_Contracts_TenantId_StartsOn_EndsOn", "Contracts", ["TenantId", "StartsOn", "EndsOn"]);

        migrationBuilder.CreateTable(
            name: "Leads",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                TenantId = table.Column<Guid>(nullable: false),
                ExternalId = table.Column<string>(maxLength: 100, nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
                CreatedOn = table.Column<DateOnly>(nullable: false),
                QualifiedOn = table.Column<DateOnly>(nullable: true),
                OpportunityOn = table.Column<DateOnly>(nullable: true),
                ClosedOn = table.Column<DateOnly>(nullable: true),
                Outcome = table.Column<string>(maxLength: 16, nullable: true),
                DealValueMinor = table.Column<long>(nullable: true),
                Currency = table.Column<string>(maxLength: 3, nullable: true),
                Source = table.Column<string>(maxLength: 200, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Leads", x => x.Id);
                table.ForeignKey("FK_Leads_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_Leads_TenantId_ClosedOn", "Leads", ["TenantId", "ClosedOn"]);
        migrationBuilder.CreateIndex("IX_Leads_TenantId_CreatedOn", "Leads", ["TenantId", "CreatedOn"]);
        migrationBuilder.CreateIndex("IX_Leads_TenantId_ExternalId", "Leads", ["TenantId", "ExternalId"], unique: true);
        migrationBuilder.CreateIndex("IX_Leads_TenantId_QualifiedOn", "Leads", ["TenantId", "QualifiedOn"]);

        migrationBuilder.CreateTable(
            name: "Surveys",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                TenantId = table.Column<Guid>(nullable: false),
                ExternalId = table.Column<string>(maxLength: 100, nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
                Kind = table.Column<string>(maxLength: 16, nullable: false),
                Score = table.Column<int>(nullable: false),
                RespondedOn = table.Column<DateOnly>(nullable: false),
                ClientId = table.Column<Guid>(nullable: true),
                RespondentRole = table.Column<string>(maxLength: 32, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Surveys", x => x.Id);
                table.ForeignKey("FK_Surveys_Clients_ClientId", x => x.ClientId, "Clients", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_Surveys_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_Surveys_ClientId", "Surveys", "ClientId");
        migrationBuilder.CreateIndex("IX_Surveys_TenantId_ExternalId", "Surveys", ["TenantId", "ExternalId"], unique: true);
        migrationBuilder.CreateIndex("IX_Surveys_TenantId_Kind_RespondedOn", "Surveys", ["TenantId", "Kind", "RespondedOn"]);

        migrationBuilder.CreateTable(
            name: "Costs",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                TenantId = table.Column<Guid>(nullable: false),
                ExternalId = table.Column<string>(maxLength: 100, nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
                Category = table.Column<string>(maxLength: 16, nullable: false),
                AmountMinor = table.Column<long>(nullable: false),
                Currency = table.Column<string>(maxLength: 3, nullable: false),
                IncurredOn = table.Column<DateOnly>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Costs", x => x.Id);
                table.ForeignKey("FK_Costs_Tenants_TenantId", x => x.TenantId, "Tenants", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_Costs_TenantId_ExternalId", "Costs", ["TenantId", "ExternalId"], unique: true);
        migrationBuilder.CreateIndex("IX_Costs_TenantId_IncurredOn_Category", "Costs", ["TenantId", "IncurredOn", "Category"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("Contracts");
        migrationBuilder.DropTable("Surveys");
        migrationBuilder.DropTable("Costs");
        migrationBuilder.DropTable("Leads");
        migrationBuilder.DropTable("Clients");
        migrationBuilder.DropTable("Tenants");
    }
}
