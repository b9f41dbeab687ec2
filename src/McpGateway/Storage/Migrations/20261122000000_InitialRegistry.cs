using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace McpGateway.Storage.Migrations;

/// <summary>
/// Servers, views and the revision row. Hand-written (no dotnet-ef here): column types are left to the provider's
/// mapping of the CLR type (TEXT/INTEGER on SQLite, text/varchar/bigint on PostgreSQL) so one migration serves both.
/// </summary>
[DbContext(typeof(RegistryDbContext))]
[Migration(Id)]
internal sealed class InitialRegistry : Migration
{
    public const string Id = "20261122000000_InitialRegistry";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        CreateEntries(migrationBuilder, RegistryDbContext.ServersTable);
        CreateEntries(migrationBuilder, RegistryDbContext.VirtualServersTable);
        migrationBuilder.CreateTable(
            name: RegistryDbContext.RevisionTable,
            columns: table => new
            {
                id = table.Column<int>(nullable: false),
                revision = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey($"pk_{RegistryDbContext.RevisionTable}", x => x.id));
        // Plain SQL: InsertData would need the model (or provider-specific column types) to map the values.
        migrationBuilder.Sql($"INSERT INTO {RegistryDbContext.RevisionTable} (id, revision) VALUES ({RegistryDbContext.RevisionRowId}, 0)");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(RegistryDbContext.RevisionTable);
        migrationBuilder.DropTable(RegistryDbContext.VirtualServersTable);
        migrationBuilder.DropTable(RegistryDbContext.ServersTable);
    }

    private static void CreateEntries(MigrationBuilder migrationBuilder, string table) =>
        migrationBuilder.CreateTable(
            name: table,
            columns: t => new
            {
                name = t.Column<string>(maxLength: RegistryDbContext.MaxNameLength, nullable: false),
                definition = t.Column<string>(nullable: false),
                created_at_ticks = t.Column<long>(nullable: false),
                updated_at_ticks = t.Column<long>(nullable: false),
            },
            constraints: t =>
            {
                t.PrimaryKey($"pk_{table}", x => x.name);
                t.CheckConstraint($"ck_{table}_name", RegistryDbContext.NameCheck);
            });
}
