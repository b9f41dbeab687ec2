using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace McpGateway.Storage.Migrations;

/// <summary>The <c>data_protection_keys</c> table (#6): the key ring that encrypts stored secrets.</summary>
[DbContext(typeof(RegistryDbContext))]
[Migration(Id)]
internal sealed class DataProtectionKeys : Migration
{
    public const string Id = "20261122040000_DataProtectionKeys";

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateTable(
            name: RegistryDbContext.DataProtectionKeysTable,
            columns: t => new
            {
                friendly_name = t.Column<string>(maxLength: 128, nullable: false),
                xml = t.Column<string>(nullable: false),
            },
            constraints: t => t.PrimaryKey($"pk_{RegistryDbContext.DataProtectionKeysTable}", x => x.friendly_name));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(RegistryDbContext.DataProtectionKeysTable);
}
