using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace McpGateway.Storage.Migrations;

/// <summary>The <c>principal_credentials</c> table (#6): each principal's own upstream credential per server, encrypted.</summary>
[DbContext(typeof(RegistryDbContext))]
[Migration(Id)]
internal sealed class PrincipalCredentials : Migration
{
    public const string Id = "20261122050000_PrincipalCredentials";

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateTable(
            name: RegistryDbContext.PrincipalCredentialsTable,
            columns: t => new
            {
                server = t.Column<string>(maxLength: RegistryDbContext.MaxNameLength, nullable: false),
                principal_id = t.Column<string>(maxLength: RegistryDbContext.MaxPrincipalIdLength, nullable: false),
                value = t.Column<string>(nullable: false),
                updated_at_ticks = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey($"pk_{RegistryDbContext.PrincipalCredentialsTable}", x => new { x.server, x.principal_id }));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(RegistryDbContext.PrincipalCredentialsTable);
}
