using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace McpGateway.Storage.Migrations;

/// <summary>The <c>api_keys</c> table (#6). Roles are one comma-separated column: portable, and never queried by role.</summary>
[DbContext(typeof(RegistryDbContext))]
[Migration(Id)]
internal sealed class ApiKeys : Migration
{
    public const string Id = "20261122020000_ApiKeys";

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateTable(
            name: RegistryDbContext.ApiKeysTable,
            columns: t => new
            {
                id = t.Column<string>(maxLength: 64, nullable: false),
                name = t.Column<string>(maxLength: RegistryDbContext.MaxNameLength, nullable: false),
                secret_hash = t.Column<byte[]>(nullable: false),
                roles = t.Column<string>(nullable: false),
                tenant = t.Column<string>(maxLength: RegistryDbContext.MaxNameLength, nullable: true),
                created_at_ticks = t.Column<long>(nullable: false),
                expires_at_ticks = t.Column<long>(nullable: true),
                revoked_at_ticks = t.Column<long>(nullable: true),
                last_used_at_ticks = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey($"pk_{RegistryDbContext.ApiKeysTable}", x => x.id));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(RegistryDbContext.ApiKeysTable);
}
