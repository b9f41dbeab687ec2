using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace McpGateway.Storage.Migrations;

/// <summary>Tool pins ("rug-pull" protection): per (server, tool) the approved and the pending definition hash.</summary>
[DbContext(typeof(RegistryDbContext))]
[Migration(Id)]
internal sealed class ToolPins : Migration
{
    public const string Id = "20261122010000_ToolPins";

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateTable(
            name: StoredToolPin.Table,
            columns: t => new
            {
                server = t.Column<string>(maxLength: RegistryDbContext.MaxNameLength, nullable: false),
                tool = t.Column<string>(maxLength: StoredToolPin.MaxToolLength, nullable: false),
                approved_hash = t.Column<string>(nullable: true),
                approved_definition = t.Column<string>(nullable: true),
                approved_at_ticks = t.Column<long>(nullable: true),
                pending_hash = t.Column<string>(nullable: true),
                pending_definition = t.Column<string>(nullable: true),
                pending_since_ticks = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey($"pk_{StoredToolPin.Table}", x => new { x.server, x.tool }));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(StoredToolPin.Table);
}
