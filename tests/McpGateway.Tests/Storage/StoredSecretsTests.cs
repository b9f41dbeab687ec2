using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Tests.Admin;
using McpGateway.Tests.TestSupport;
using Npgsql;

namespace McpGateway.Tests.Storage;

/// <summary>
/// Secrets of registered servers at rest: encrypted with Data Protection before they reach the database (the key ring
/// is in the same database), masked in every API answer, and still sent upstream after a restart.
/// </summary>
public sealed class StoredSecretsTests : IDisposable
{
    private const string AdminToken = "0123456789abcdef-admin-token";
    private const string Secret = "Bearer planted-stored-secret-9f2e";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-secrets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Task<GatewayHarness> StartAsync(string storage) => GatewayHarness.StartAsync($$"""
        gateway: { adminToken: {{AdminToken}} }
        security: { upstreams: { allowPrivate: true } }
        storage: {{storage}}
        mcpServers:
        {{GatewayHarness.DemoServer("demo")}}
        """);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RegisteredHeaderSecret_EncryptedInTheDatabase_MaskedInAnswers_SentUpstreamAfterRestart(string provider)
    {
        await using var postgres = provider == "postgres" ? PostgresTestDatabase.Create() : null;
        var sqlitePath = Path.Combine(_directory, "gateway.db");
        var storage = postgres is null ? $"{{ provider: sqlite, path: '{sqlitePath}' }}" : $"{{ provider: postgres, connectionString: '{postgres.ConnectionString}' }}";
        await using var upstream = await RecordingHttpMcpServer.StartAsync();

        await using (var gateway = await StartAsync(storage))
        {
            var admin = new AdminApiClient(gateway, AdminToken);
            var created = await admin.PostAsync("api/v1/servers", new JsonObject
            {
                ["name"] = "remote",
                ["url"] = upstream.Endpoint.ToString(),
                ["headers"] = new JsonObject { ["Authorization"] = Secret, ["X-Env"] = "${HOME}" },
            });
            var shown = await admin.GetAsync("api/v1/servers/remote");
            var exported = await admin.GetAsync("api/v1/export");

            created.Status.Should().Be(HttpStatusCode.Created, created.ToString());
            foreach (var answer in new[] { created, shown, exported })
            {
                answer.ToString().Should().NotContain("planted-stored-secret").And.Contain("${HOME}", "references are not secrets");
            }

            ((string?)shown.Json["definition"]?["headers"]?["Authorization"]).Should().Be("***");
        }

        var stored = await ReadStoredDefinitionsAsync(provider, sqlitePath, postgres);
        stored.Should().NotContain("planted-stored-secret").And.Contain("enc:v1:").And.Contain("${HOME}");

        await using var restarted = await StartAsync(storage);
        var client = await McpCalls.ConnectAsync(restarted, "servers/remote/mcp");
        await McpCalls.ToolNamesAsync(client);

        upstream.Requests.Should().Contain(headers => headers["Authorization"] == Secret, "the decrypted secret is what the upstream receives");
    }

    [Fact]
    public async Task KeyRingCertificate_EncryptsTheKeyRingInTheDatabase_AndOnlyThatCertificateReadsTheSecretsBack()
    {
        var sqlitePath = Path.Combine(_directory, "gateway.db");
        var certificatePath = Path.Combine(_directory, "keyring.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=mcp-gateway key ring", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Pkcs12, "test-password"), TestContext.Current.CancellationToken);
        }

        var storage = $"{{ provider: sqlite, path: '{sqlitePath}', keyRing: {{ certificate: '{certificatePath}', password: test-password }} }}";
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using (var gateway = await StartAsync(storage))
        {
            var created = await new AdminApiClient(gateway, AdminToken).PostAsync("api/v1/servers", new JsonObject
            {
                ["name"] = "remote",
                ["url"] = upstream.Endpoint.ToString(),
                ["headers"] = new JsonObject { ["Authorization"] = Secret },
            });
            created.Status.Should().Be(HttpStatusCode.Created, created.ToString());
        }

        var raw = await ReadStoredDefinitionsAsync("sqlite", sqlitePath, null);
        raw.Should().Contain("EncryptedData", "the key ring's keys are encrypted to the certificate").And.NotContain("unencrypted form");

        await using (var restarted = await StartAsync(storage))
        {
            await McpCalls.ToolNamesAsync(await McpCalls.ConnectAsync(restarted, "servers/remote/mcp"));
            upstream.Requests.Should().Contain(headers => headers["Authorization"] == Secret);
        }

        var withoutCertificate = async () => await StartAsync($"{{ provider: sqlite, path: '{sqlitePath}' }}");
        (await withoutCertificate.Should().ThrowAsync<Exception>()).Which.ToString().Should().Contain("cannot be decrypted");
    }

    /// <summary>Everything the database holds for stored servers, read past the gateway.</summary>
    private static async Task<string> ReadStoredDefinitionsAsync(string provider, string sqlitePath, PostgresTestDatabase? postgres)
    {
        if (provider == "sqlite")
        {
            // The raw file, WAL included: no table or page may hold the clear value.
            var text = new StringBuilder(Encoding.Latin1.GetString(await File.ReadAllBytesAsync(sqlitePath, TestContext.Current.CancellationToken)));
            if (File.Exists(sqlitePath + "-wal"))
            {
                text.Append(Encoding.Latin1.GetString(await File.ReadAllBytesAsync(sqlitePath + "-wal", TestContext.Current.CancellationToken)));
            }

            return text.ToString();
        }

        await using var connection = new NpgsqlConnection(postgres!.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("select string_agg(definition, ' ') from servers", connection);
        return (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
