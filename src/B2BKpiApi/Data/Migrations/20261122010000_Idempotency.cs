using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace B2BKpiApi.Data.Migrations;

/// <summary>Stored responses of POSTs sent with an Idempotency-Key (see Common/Idempotency.cs).</summary>
[DbContext(typeof(KpiDbContext))]
[Migration("20261122010000_Idempotency")]
public sealed class Idempotency : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "IdempotencyRecords",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Scope = table.Column<Guid>(nullable: false),
                Key = table.Column<string>(maxLength: 255, nullable: false),
                RequestHash = table.Column<byte[]>(nullable: false),
                StatusCode = table.Column<int>(nullable: true),
                ContentType = table.Column<string>(maxLength: 200, nullable: true),
                Location = table.Column<string>(maxLength: 200, nullable: true),
                Body = table.Column<byte[]>(nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                ExpiresAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_IdempotencyRecords", x => x.Id));

        migrationBuilder.CreateIndex("IX_IdempotencyRecords_ExpiresAt", "IdempotencyRecords", "ExpiresAt");
        migrationBuilder.CreateIndex("IX_IdempotencyRecords_Scope_Key", "IdempotencyRecords", ["Scope", "Key"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("IdempotencyRecords");
}
