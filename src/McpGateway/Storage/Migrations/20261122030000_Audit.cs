using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace McpGateway.Storage.Migrations;

/// <summary>The <c>audit_records</c> table (#6): newest-first reads by time, by principal and by tenant.</summary>
[DbContext(typeof(RegistryDbContext))]
[Migration(Id)]
internal sealed class Audit : Migration
{
    public const string Id = "20261122030000_Audit";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        const string Table = RegistryDbContext.AuditTable;
        migrationBuilder.CreateTable(
            name: Table,
            columns: t => new
            {
                id = t.Column<string>(maxLength: 32, nullable: false),
                time_ms = t.Column<long>(nullable: false),
                kind = t.Column<string>(maxLength: 32, nullable: false),
                principal_id = t.Column<string>(nullable: false),
                principal_name = t.Column<string>(nullable: false),
                tenant = t.Column<string>(nullable: true),
                view = t.Column<string>(nullable: true),
                server = t.Column<string>(nullable: true),
                item = t.Column<string>(nullable: true),
                outcome = t.Column<string>(maxLength: 16, nullable: false),
                code = t.Column<int>(nullable: true),
                duration_ms = t.Column<double>(nullable: false),
                trace_id = t.Column<string>(maxLength: 32, nullable: true),
                arguments = t.Column<string>(nullable: true),
            },
            constraints: t => t.PrimaryKey($"pk_{Table}", x => x.id));
        migrationBuilder.CreateIndex($"ix_{Table}_time", Table, ["time_ms", "id"]);
        migrationBuilder.CreateIndex($"ix_{Table}_principal", Table, ["principal_id", "time_ms"]);
        migrationBuilder.CreateIndex($"ix_{Table}_tenant", Table, ["tenant", "time_ms"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(RegistryDbContext.AuditTable);
}
