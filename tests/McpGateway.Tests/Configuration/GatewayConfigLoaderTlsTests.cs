using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Configuration;

/// <summary><c>gateway.tls</c> and <c>auth.certificates</c> as written, and their mistakes.</summary>
public sealed class GatewayConfigLoaderTlsTests
{
    private const string Servers = "mcpServers: { a: { command: x } }\n";

    [Fact]
    public void Load_TlsAndCertificates_ReadEveryField_AndCountAsAuthentication()
    {
        var result = ConfigLoading.Load(Servers + """
            gateway:
              listen: https://0.0.0.0:8443
              tls: { certificate: /tls/server.pem, key: /tls/server.key, clientCertificates: require, clientCa: /tls/ca.pem }
            auth:
              certificates:
                - { subject: "CN=ci-bot, O=Example", name: ci, roles: [dev], tenant: acme }
                - { thumbprint: "ab:cd:ef" }
            """);

        result.Errors.Should().BeEmpty();
        var tls = result.Config!.Gateway.Tls!;
        tls.CertificatePath.Should().Be("/tls/server.pem");
        tls.KeyPath.Should().Be("/tls/server.key");
        tls.ClientCertificates.Should().Be(ClientCertificateMode.Require);
        tls.ClientCa.Should().Be("/tls/ca.pem");
        result.Config.Auth.Certificates.Should().Equal(
            new CertificatePrincipal("CN=ci-bot, O=Example", null, "ci", result.Config.Auth.Certificates[0].Roles, "acme"),
            new CertificatePrincipal(null, "ABCDEF", null, result.Config.Auth.Certificates[1].Roles, null));
        result.Config.Auth.Certificates[0].Roles.Should().Equal("dev");
        result.Config.Auth.ConfiguredMethods.Should().Contain("certificates");
        result.Config.Auth.RequiresCredential.Should().BeTrue();
    }

    [Theory]
    [InlineData("gateway: { tls: { certificate: /s.pem } }", "gateway.listen", "plain http")]
    [InlineData("gateway: { listen: \"https://127.0.0.1:8443\", tls: { key: /s.key } }", "gateway.tls", "`certificate` is required")]
    [InlineData("gateway: { listen: \"https://127.0.0.1:8443\", tls: { certificate: /s.pem, clientCertificates: require } }", "gateway.tls", "`clientCa` is required")]
    [InlineData("gateway: { listen: \"https://127.0.0.1:8443\", tls: { certificate: /s.pem, clientCertificates: maybe } }", "gateway.tls.clientCertificates", "none (default), allow or require")]
    [InlineData("auth: { certificates: [ { name: x } ] }", "auth.certificates[0]", "exactly one of `subject` or `thumbprint`")]
    [InlineData("auth: { certificates: [ { subject: \"CN=a\", thumbprint: ab } ] }", "auth.certificates[0]", "exactly one of `subject` or `thumbprint`")]
    public void Load_BadTls_ErrorNamesTheKey(string section, string key, string message)
    {
        var result = ConfigLoading.Load(Servers + section + "\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be(key);
        error.Message.Should().Contain(message);
    }
}
