using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Tests.Admin;
using McpGateway.Tests.Observability;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tests.Security;

/// <summary>
/// Distinctive secrets planted in the config (an upstream header, an OAuth client secret, the admin token, a registered
/// server's header) must not appear in any log line at Trace, any span or attribute, or any admin API answer — except
/// the export, which is config as code and documented to contain what the file contains.
/// </summary>
public sealed class PlantedSecretTests
{
    private const string HeaderSecret = "planted-header-7f3a9c41";
    private const string ClientSecret = "planted-client-secret-51be02";
    private const string AdminToken = "planted-admin-token-0d9e42aa";
    private const string RegisteredSecret = "planted-registered-8c1d77";

    private static readonly string[] Secrets = [HeaderSecret, ClientSecret, AdminToken, RegisteredSecret];

    [Fact]
    public async Task Secrets_NeverAppearInLogsSpansAdminAnswersOrTheExport()
    {
        using var spans = new SpanRecorder("System.Net.Http", "Microsoft.AspNetCore");
        await using var tokens = await TokenEndpoint.StartAsync(expiresIn: 3600);
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        var loaded = GatewayConfigLoader.LoadText($$"""
            gateway: { adminToken: "${ADMIN_TOKEN}", logFormat: json, logLevel: trace }
            mcpServers:
              remote:
                url: "{{upstream.Endpoint}}"
                transport: streamable-http
                headers: { X-Api-Key: {{HeaderSecret}} }
                auth: { type: clientCredentials, tokenUrl: "{{tokens.Url}}", clientId: gateway, clientSecret: "${CLIENT_SECRET}" }
            """, "planted.yaml", name => name switch { "ADMIN_TOKEN" => AdminToken, "CLIENT_SECRET" => ClientSecret, _ => null });
        loaded.Succeeded.Should().BeTrue(string.Join("; ", loaded.Errors));
        await using var gateway = await GatewayHarness.StartAsync(loaded.Config!, minimumLevel: LogLevel.Trace);
        var api = new AdminApiClient(gateway, AdminToken);

        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));
        await client.InitializeAsync();
        await client.CallAsync("tools/list");
        await client.CallAsync("tools/call", new JsonObject { ["name"] = "whoami" });
        var registered = await api.PostAsync("api/v1/servers", new JsonObject
        {
            ["name"] = "registered",
            ["url"] = "https://mcp.does-not-resolve.invalid/mcp",
            ["enabled"] = false,
            ["headers"] = new JsonObject { ["X-Registered"] = RegisteredSecret },
            ["auth"] = new JsonObject { ["type"] = "clientCredentials", ["tokenUrl"] = "https://auth.does-not-resolve.invalid/token", ["clientId"] = "c", ["clientSecret"] = RegisteredSecret },
        });
        var refused = await api.SendAsync(HttpMethod.Get, "api/v1/servers", bearer: AdminToken + "-wrong");
        var answers = new List<string> { registered.Body?.ToJsonString() ?? string.Empty, refused.Body?.ToJsonString() ?? string.Empty };
        foreach (var path in (string[])["api/v1/servers", "api/v1/servers/remote", "api/v1/servers/registered", "api/v1/tools", "api/v1/health", "api/v1/config", "api/v1/virtual-servers"])
        {
            var answer = await api.GetAsync(path);
            answer.Status.Should().Be(HttpStatusCode.OK, path);
            answers.Add(answer.Body?.ToJsonString() ?? string.Empty);
        }

        var export = await api.GetAsync("api/v1/export");

        upstream.Requests.Should().Contain(headers => headers["X-Api-Key"] == HeaderSecret, "the secrets were really used");
        tokens.RequestCount.Should().Be(1);
        var logText = LogText(gateway.Logs);
        logText.Should().Contain("tools/call", "Trace logging was on");
        var spanText = SpanText(spans);
        spanText.Should().NotBeEmpty();
        foreach (var secret in Secrets)
        {
            logText.Should().NotContain(secret);
            spanText.Should().NotContain(secret);
            answers.Should().AllSatisfy(answer => answer.Should().NotContain(secret));
        }

        // The export masks literal secrets like every other answer; `${VAR}` references stay references.
        var exported = export.Body!.ToJsonString();
        exported.Should().NotContain(HeaderSecret).And.NotContain(RegisteredSecret).And.NotContain(ClientSecret).And.NotContain(AdminToken);
        exported.Should().Contain("${CLIENT_SECRET}").And.Contain("${ADMIN_TOKEN}").And.Contain("***");
    }

    /// <summary>Everything a log sink can print: message, every structured property, scopes and exceptions.</summary>
    private static string LogText(CapturingLoggerProvider logs)
    {
        var text = new StringBuilder();
        foreach (var line in logs.Lines)
        {
            text.AppendLine(line.Message).AppendLine(line.Exception?.ToString());
            try
            {
                foreach (var (key, value) in line.Properties ?? [])
                {
                    text.Append(key).Append('=').AppendLine(Describe(value));
                }
            }
            catch (ObjectDisposedException) when (line.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))
            {
                // ASP.NET Core's request-start state reads the finished request lazily (method, path, protocol, no headers).
            }

            foreach (var scope in line.Scopes ?? [])
            {
                try
                {
                    text.AppendLine(Describe(scope));
                }
                catch (ObjectDisposedException)
                {
                    // The same for ASP.NET Core's request scope (path, request and connection ids).
                }
            }
        }

        return text.ToString();
    }

    private static string SpanText(SpanRecorder spans)
    {
        var text = new StringBuilder();
        foreach (var span in spans.All)
        {
            text.AppendLine(span.DisplayName).AppendLine(span.StatusDescription);
            foreach (var (key, value) in span.TagObjects)
            {
                text.Append(key).Append('=').AppendLine(Describe(value));
            }

            foreach (var spanEvent in span.Events)
            {
                text.AppendLine(spanEvent.Name);
                foreach (var (key, value) in spanEvent.Tags)
                {
                    text.Append(key).Append('=').AppendLine(Describe(value));
                }
            }

            foreach (var (key, value) in span.Baggage)
            {
                text.Append(key).Append('=').AppendLine(value);
            }
        }

        return text.ToString();
    }

    private static string Describe(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        IEnumerable<KeyValuePair<string, object?>> pairs => string.Join(", ", pairs.Select(pair => $"{pair.Key}={Describe(pair.Value)}")),
        System.Collections.IEnumerable items => string.Join(", ", items.Cast<object?>().Select(Describe)),
        _ => value.ToString() ?? string.Empty,
    };
}
