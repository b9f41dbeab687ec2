using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Upstreams;

/// <summary>Remote upstreams: headers, credentials, expiry, unreachable and silent servers.</summary>
public sealed class HttpUpstreamTests
{
    [Fact]
    public async Task ConfiguredHeaders_AreSent_ClientAuthorizationIsNot()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
              remote:
                url: {upstream.Endpoint}
                transport: streamable-http
                headers: {"{"} Authorization: "Bearer ${"{"}UPSTREAM_TOKEN{"}"}", X-Tenant: acme {"}"}
            """, name => name == "UPSTREAM_TOKEN" ? "upstream-secret" : null);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));
        void AddClientCredentials(HttpRequestMessage request)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "client-token");
            request.Headers.Add("Cookie", "session=client-cookie");
        }

        await client.InitializeAsync();
        var answer = await client.PostAsync(client.Request("tools/call", new JsonObject { ["name"] = "whoami" }), AddClientCredentials);

        ((string?)answer.Last["result"]!["content"]![0]!["text"]).Should().Be("served tools/call");
        upstream.Requests.Should().NotBeEmpty().And.OnlyContain(h => h["Authorization"] == "Bearer upstream-secret" && h["X-Tenant"] == "acme");
        upstream.Requests.Should().NotContain(h => h.ContainsKey("Cookie"));
    }

    [Fact]
    public async Task ClientAuthorizationAndCookie_AreNeverForwarded()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream);
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));
        void AddClientCredentials(HttpRequestMessage request)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "client-token");
            request.Headers.Add("Cookie", "session=client-cookie");
            request.Headers.Add("Proxy-Authorization", "Basic Y2xpZW50");
        }

        await client.InitializeAsync();
        await client.PostAsync(client.Request("tools/call", new JsonObject { ["name"] = "whoami" }), AddClientCredentials);

        upstream.Requests.Should().NotBeEmpty().And.OnlyContain(h => !h.ContainsKey("Authorization") && !h.ContainsKey("Cookie") && !h.ContainsKey("Proxy-Authorization"));
    }

    [Fact]
    public async Task ExpiredUpstreamSession_IsReopenedAndTheRequestRetriedTransparently()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();

        // No health checks: their own upstream session would count as one more initialize.
        await using var gateway = await StartGatewayAsync(upstream, "health: false");
        var client = await InitializedClientAsync(gateway);
        await client.CallAsync("tools/list");

        upstream.ForgetSessions();
        var afterExpiry = await client.CallAsync("tools/list");

        ((string?)afterExpiry["result"]!["tools"]![0]!["name"]).Should().Be("whoami");
        upstream.InitializeCount.Should().Be(2);
    }

    [Fact]
    public async Task ResponseStreamBrokenBeforeTheAnswer_IsResumedWithLastEventId()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream);
        var client = await InitializedClientAsync(gateway);

        var answer = await client.CallAsync("tools/call", new JsonObject { ["name"] = "broken_stream" });

        ((string?)answer["result"]!["content"]![0]!["text"]).Should().Be("resumed answer");
        upstream.GetRequests.Should().Contain(h => h["Last-Event-ID"] == "s1" && !string.IsNullOrEmpty(h["Mcp-Session-Id"]));
    }

    [Fact]
    public async Task HttpErrorWithJsonRpcBody_IsRelayedAsThatError()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream);
        var client = await InitializedClientAsync(gateway);

        var answer = await client.CallAsync("tools/call", new JsonObject { ["name"] = "rejected" });
        var afterwards = await client.CallAsync("tools/list");

        ((int?)answer["error"]!["code"]).Should().Be(-32602);
        ((string?)answer["error"]!["message"]).Should().Be("arguments rejected upstream");
        afterwards["result"].Should().NotBeNull("a refused request leaves the upstream session usable");
    }

    [Fact]
    public async Task TimedOutRequest_ClosesItsUpstreamHttpRequest()
    {
        await using var upstream = await RecordingHttpMcpServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream, "requestTimeout: 300ms");
        var client = await InitializedClientAsync(gateway);

        var answer = await client.CallAsync("tools/call", new JsonObject { ["name"] = "hang" });

        ((int?)answer["error"]!["code"]).Should().Be(-32001);
        await upstream.HangAbandoned.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task UnreachableUpstream_InitializeFailsNamingServer()
    {
        var port = FreePort();
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
              gone: {"{"} url: "http://127.0.0.1:{port}/mcp", transport: streamable-http {"}"}
            """);

        var answer = await new McpHttpTestClient(gateway.Http, gateway.ServerUrl("gone")).PostAsync(InitializeRequest());

        answer.Status.Should().Be(HttpStatusCode.OK);
        ((int?)answer.Last["error"]!["code"]).Should().Be(-32000);
        ((string?)answer.Last["error"]!["message"]).Should().Contain("'gone'");
    }

    [Fact]
    public async Task SilentUpstream_HandshakeTimesOutWithinConnectTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    accepted.Add(await silent.AcceptTcpClientAsync());
                }
                catch (Exception ex) when (ex is ObjectDisposedException or SocketException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        await using var gateway = await GatewayHarness.StartAsync($"""
            mcpServers:
              mute: {"{"} url: "http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/mcp", transport: streamable-http, connectTimeout: 1s {"}"}
            """);

        var answer = await new McpHttpTestClient(gateway.Http, gateway.ServerUrl("mute")).PostAsync(InitializeRequest());

        ((int?)answer.Last["error"]!["code"]).Should().Be(-32000);
        ((string?)answer.Last["error"]!["message"]).Should().Contain("'mute'").And.Contain("within 1 s");
        silent.Stop();
        accepted.ForEach(c => c.Dispose());
    }

    /// <summary>A gateway with one Streamable HTTP server <c>remote</c> in front of <paramref name="upstream"/>.</summary>
    private static Task<GatewayHarness> StartGatewayAsync(RecordingHttpMcpServer upstream, string settings = "") => GatewayHarness.StartAsync($"""
        mcpServers:
          remote: {"{"} url: "{upstream.Endpoint}", transport: streamable-http{(settings.Length > 0 ? ", " + settings : string.Empty)} {"}"}
        """);

    private static async Task<McpHttpTestClient> InitializedClientAsync(GatewayHarness gateway)
    {
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("remote"));
        await client.InitializeAsync();
        return client;
    }

    private static JsonObject InitializeRequest() => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = 1,
        ["method"] = "initialize",
        ["params"] = new JsonObject { ["protocolVersion"] = "2025-11-25", ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "t", ["version"] = "1" } },
    };

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
