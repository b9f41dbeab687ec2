using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Security;

/// <summary>
/// mTLS with certificates made here: a CA, a server certificate for 127.0.0.1, and client certificates (mapped, unmapped,
/// from another CA, expired), against a real gateway serving HTTPS on loopback.
/// </summary>
public sealed class MutualTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpgw-mtls-").FullName;
    private readonly X509Certificate2 _ca = CreateCa("CN=Test Clients CA");
    private readonly X509Certificate2 _otherCa = CreateCa("CN=Other CA");
    private readonly string _serverPem;
    private readonly string _serverKey;
    private readonly string _caPem;

    public MutualTlsTests()
    {
        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var server = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _serverPem = Write("server.pem", server.ExportCertificatePem());
        _serverKey = Write("server.key", serverKey.ExportPkcs8PrivateKeyPem());
        _caPem = Write("ca.pem", _ca.ExportCertificatePem());
    }

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text, Encoding.ASCII);
        return path;
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static X509Certificate2 CreateClient(X509Certificate2 issuer, string subject, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(5), serial);
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    private Task<GatewayHarness> StartAsync(string mode) => GatewayHarness.StartAsync($$"""
        gateway:
          listen: https://127.0.0.1:8443
          tls: { certificate: '{{_serverPem}}', key: '{{_serverKey}}', clientCertificates: {{mode}}, clientCa: '{{_caPem}}' }
        auth:
          apiKeys: true
          certificates:
            - { subject: "CN=ci-bot, O=Example", roles: [dev], tenant: acme }
        mcpServers:
        {{GatewayHarness.DemoServer("demo")}}
        """);

    private static HttpClient Client(GatewayHarness gateway, X509Certificate2? certificate)
    {
        var handler = new HttpClientHandler
        {
            // The test's self-signed server certificate; what is under test is the client side.
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
            ClientCertificateOptions = ClientCertificateOption.Manual,
        };
        if (certificate is not null)
        {
            handler.ClientCertificates.Add(certificate);
        }

        return new HttpClient(handler) { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static Task<HttpExchange> InitializeAsync(HttpClient http, Uri baseAddress) =>
        McpCalls.TryInitializeAsync(new McpHttpTestClient(http, new Uri(baseAddress, "mcp")));

    [Fact]
    public async Task MappedCertificate_IsThePrincipal_AndListsTools()
    {
        await using var gateway = await StartAsync("require");
        using var certificate = CreateClient(_ca, "CN=ci-bot, O=Example");
        using var http = Client(gateway, certificate);
        var client = new McpHttpTestClient(http, new Uri(gateway.BaseAddress, "mcp"));

        await client.InitializeAsync();
        var tools = await McpCalls.ToolNamesAsync(client);

        gateway.BaseAddress.Scheme.Should().Be("https");
        tools.Should().Contain("demo__echo");
        var authenticated = await gateway.Logs.WaitForEventAsync(5001);
        ((string?)authenticated.Property("PrincipalId")).Should().Be("cert:" + Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)));
    }

    [Fact]
    public async Task Require_NoCertificate_HandshakeFails()
    {
        await using var gateway = await StartAsync("require");
        using var http = Client(gateway, certificate: null);

        var attempt = () => InitializeAsync(http, gateway.BaseAddress);

        await attempt.Should().ThrowAsync<HttpRequestException>();
    }

    [Theory]
    [InlineData("other-ca")]
    [InlineData("expired")]
    public async Task Require_UntrustedOrExpiredCertificate_Refused(string kind)
    {
        await using var gateway = await StartAsync("require");
        using var certificate = kind == "other-ca"
            ? CreateClient(_otherCa, "CN=ci-bot, O=Example")
            : CreateClient(_ca, "CN=ci-bot, O=Example", notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        using var http = Client(gateway, certificate);

        var attempt = () => InitializeAsync(http, gateway.BaseAddress);

        await attempt.Should().ThrowAsync<HttpRequestException>("the handshake refuses it: {0}", kind);
    }

    [Fact]
    public async Task ValidButUnmappedCertificate_401()
    {
        await using var gateway = await StartAsync("require");
        using var certificate = CreateClient(_ca, "CN=stranger");
        using var http = Client(gateway, certificate);

        var answer = await InitializeAsync(http, gateway.BaseAddress);

        answer.Status.Should().Be(HttpStatusCode.Unauthorized);
        answer.Headers.WwwAuthenticate.ToString().Should().Contain("invalid_token");
    }

    [Fact]
    public async Task Allow_NoCertificateButApiKey_Works()
    {
        await using var gateway = await StartAsync("allow");
        var (_, key) = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<McpGateway.Security.ApiKeyService>(gateway.Services)
            .CreateAsync("bot", [], null, null, TestContext.Current.CancellationToken);
        using var http = Client(gateway, certificate: null);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var answer = await InitializeAsync(http, gateway.BaseAddress);

        answer.Status.Should().Be(HttpStatusCode.OK, answer.Body);
    }
}
