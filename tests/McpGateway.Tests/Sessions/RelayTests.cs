using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Tests.TestSupport;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.Tests.Sessions;

/// <summary>Server→client traffic and cancellation reach the right client, through the C# SDK client and raw HTTP.</summary>
public sealed class RelayTests : IAsyncLifetime
{
    private GatewayHarness _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayHarness.StartDemoAsync();

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private static Dictionary<string, object?> Args(string name, string value) => new() { [name] = JsonSerializer.SerializeToElement(value) };

    [Fact]
    public async Task Sampling_RequestFromUpstream_IsAnsweredByTheClientThatCausedIt()
    {
        var asked = new List<string>();
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = _gateway.ServerUrl("demo"), TransportMode = HttpTransportMode.StreamableHttp }),
            new McpClientOptions
            {
                ProtocolVersion = "2025-11-25",
                Handlers = new McpClientHandlers
                {
                    SamplingHandler = (request, _, _) =>
                    {
                        asked.Add(((TextContentBlock)request!.Messages[0].Content[0]).Text);
                        return ValueTask.FromResult(new CreateMessageResult
                        {
                            Model = "canned-model",
                            Role = Role.Assistant,
                            Content = [new TextContentBlock { Text = "canned answer" }],
                        });
                    },
                },
            });

        var result = await client.CallToolAsync("sample", Args("prompt", "what is 2+2?"));

        asked.Should().Equal("what is 2+2?");
        ((TextContentBlock)result.Content[0]).Text.Should().Be("sampled: canned answer");
    }

    [Fact]
    public async Task Sampling_ClientWithoutCapability_UpstreamGetsAClearError()
    {
        var client = new McpHttpTestClient(_gateway.Http, _gateway.ServerUrl("demo"));
        await client.InitializeAsync(capabilities: new JsonObject());

        var answer = await client.CallAsync("tools/call", new JsonObject { ["name"] = "sample", ["arguments"] = new JsonObject { ["prompt"] = "x" } });

        ((string?)answer["result"]!["content"]![0]!["text"]).Should().Contain("-32601").And.Contain("did not declare");
    }

    [Fact]
    public async Task UpstreamCancelsItsOwnRequest_ClientIsToldUnderTheIdItSaw()
    {
        var client = new McpHttpTestClient(_gateway.Http, _gateway.ServerUrl("demo"));
        await client.InitializeAsync(capabilities: new JsonObject { ["sampling"] = new JsonObject() });

        var response = await client.PostAsync(client.Request("tools/call", new JsonObject { ["name"] = "sample_then_cancel" }));

        var request = response.Messages.Single(m => (string?)m["method"] == "sampling/createMessage");
        var cancelled = response.Messages.Single(m => (string?)m["method"] == "notifications/cancelled");
        cancelled["params"]!["requestId"]!.ToJsonString().Should().Be(request["id"]!.ToJsonString());
        ((string?)cancelled["params"]!["reason"]).Should().Be("changed my mind");
        ((string?)response.Last["result"]!["content"]![0]!["text"]).Should().Be("withdrawn");
    }

    [Fact]
    public async Task Progress_ThroughSdkClient_ReachesTheProgressHandler()
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = _gateway.ServerUrl("demo") }),
            new McpClientOptions { ProtocolVersion = "2025-06-18" });
        var reported = new TaskCompletionSource<ProgressNotificationValue>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The tool reports progress and then waits, so the notification cannot race the result.
        var call = client.CallToolAsync("wait_for", Args("key", "sdk-progress"), new SynchronousProgress(p => reported.TrySetResult(p))).AsTask();
        var progress = await reported.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await client.CallToolAsync("release", Args("key", "sdk-progress"));
        var result = await call;

        progress.Progress.Should().Be(0);
        progress.Message.Should().Be("waiting");
        ((TextContentBlock)result.Content[0]).Text.Should().Be("released");
    }

    [Fact]
    public async Task Cancel_ByClientNotification_IsForwardedWithTheUpstreamIdAndEndsTheStreamWithoutAnswer()
    {
        var client = new McpHttpTestClient(_gateway.Http, _gateway.ServerUrl("demo"));
        await client.InitializeAsync();
        var call = client.Request("tools/call", new JsonObject { ["name"] = "hang", ["_meta"] = new JsonObject { ["progressToken"] = "p1" } }, id: "call-to-cancel");
        using var open = await client.OpenAsync(call);
        (await open.ReadMessageAsync())!["method"]!.GetValue<string>().Should().Be("notifications/progress");

        var cancel = await client.PostAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = "notifications/cancelled",
            ["params"] = new JsonObject { ["requestId"] = "call-to-cancel", ["reason"] = "user pressed stop" },
        });
        var end = await open.ReadMessageAsync();
        var seenUpstream = await client.CallAsync("tools/call", new JsonObject { ["name"] = "cancellations" });

        cancel.Status.Should().Be(HttpStatusCode.Accepted);
        end.Should().BeNull("a cancelled request gets no answer; its stream just ends");
        ((string?)seenUpstream["result"]!["content"]![0]!["text"]).Should().Be("1");
        // The upstream was told the gateway's own (numeric) id, never the client's string id.
        ((string?)seenUpstream["result"]!["structuredContent"]!["requestIds"]![0]).Should().NotContain("call-to-cancel");
    }

    [Fact]
    public async Task ClientDisconnect_OlderRevision_CancelsTheUpstreamWorkAtOnce()
    {
        var client = new McpHttpTestClient(_gateway.Http, _gateway.ServerUrl("demo"));
        await client.InitializeAsync("2025-06-18");

        await DropAfterFirstEventAsync(client, "hang", new JsonObject());
        await _gateway.Logs.WaitForEventAsync(1011, l => l.Message.Contains("went away", StringComparison.Ordinal));
        var seen = await client.CallAsync("tools/call", new JsonObject { ["name"] = "cancellations" });

        ((string?)seen["result"]!["content"]![0]!["text"]).Should().Be("1");
    }

    [Fact]
    public async Task ClientDisconnect_Resumable_ResumeWithLastEventId_DeliversTheRestAndTheAnswer()
    {
        var client = new McpHttpTestClient(_gateway.Http, _gateway.ServerUrl("demo"));
        await client.InitializeAsync("2025-11-25");

        var lastId = await DropAfterFirstEventAsync(client, "wait_for", new JsonObject { ["key"] = "k1" });
        await client.CallAsync("tools/call", new JsonObject { ["name"] = "release", ["arguments"] = new JsonObject { ["key"] = "k1" } });
        using var resumed = await client.OpenGetStreamAsync(lastId);
        var answer = await resumed.ReadEventAsync();
        var end = await resumed.ReadEventAsync();

        resumed.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string?)answer!.Message!["result"]!["content"]![0]!["text"]).Should().Be("released");
        answer.Id.Should().NotBe(lastId).And.StartWith(lastId.Split('_')[0] + "_");
        end.Should().BeNull("the resumed stream ends after the answer");
        _gateway.Logs.Lines.Should().NotContain(l => l.IsGateway && l.EventId == 1011, "a resumed request is not cancelled");
    }

    [Fact]
    public async Task ClientDisconnect_Resumable_NotResumedWithinWindow_CancelsTheUpstreamWork()
    {
        await using var gateway = await GatewayHarness.StartDemoAsync("resumeWindow: 200ms");
        var client = new McpHttpTestClient(gateway.Http, gateway.ServerUrl("demo"));
        await client.InitializeAsync("2025-11-25");

        await DropAfterFirstEventAsync(client, "hang", new JsonObject());
        await gateway.Logs.WaitForEventAsync(1011);
        var seen = await client.CallAsync("tools/call", new JsonObject { ["name"] = "cancellations" });

        ((string?)seen["result"]!["content"]![0]!["text"]).Should().Be("1");
    }

    [Fact]
    public async Task Post_ResumableSession_StartsWithPrimingEventAndNumbersEveryEvent()
    {
        var client = new McpHttpTestClient(_gateway.Http, _gateway.ServerUrl("demo"));
        await client.InitializeAsync("2025-11-25");

        using var open = await client.OpenAsync(client.Request("tools/call", new JsonObject
        {
            ["name"] = "progress",
            ["arguments"] = new JsonObject { ["steps"] = 2 },
            ["_meta"] = new JsonObject { ["progressToken"] = 5 },
        }));
        var events = new List<SseEvent>();
        while (await open.ReadEventAsync() is { } sse)
        {
            events.Add(sse);
        }

        events.Should().HaveCount(4);
        events[0].Message.Should().BeNull("the priming event has no data");
        events[0].Retry.Should().NotBeNull();
        events.Select(e => e.Id).Should().OnlyHaveUniqueItems().And.NotContainNulls();
        ((string?)events[^1].Message!["result"]!["content"]![0]!["text"]).Should().Be("done after 2 steps");
    }

    [Fact]
    public async Task Post_OlderRevision_SimpleAnswerIsPlainJson()
    {
        var client = new McpHttpTestClient(_gateway.Http, _gateway.ServerUrl("demo"));
        await client.InitializeAsync("2025-06-18");

        var response = await client.PostAsync(client.Request("tools/list"));

        response.MediaType.Should().Be("application/json");
    }

    [Fact]
    public async Task Get_UnknownLastEventId_Returns400()
    {
        var client = new McpHttpTestClient(_gateway.Http, _gateway.ServerUrl("demo"));
        await client.InitializeAsync("2025-11-25");
        using var response = await client.OpenGetStreamAsync("999_1");

        response.Response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    /// <summary>Calls a tool with a progress token, reads the first event with data, then drops the connection. Returns the last event id seen.</summary>
    private static async Task<string> DropAfterFirstEventAsync(McpHttpTestClient client, string tool, JsonObject arguments)
    {
        // A client of its own, so that dropping the response closes the socket instead of draining it for reuse.
        using var dropping = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 });
        var caller = new McpHttpTestClient(dropping, client.Endpoint) { SessionId = client.SessionId };
        using var open = await caller.OpenAsync(caller.Request("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments, ["_meta"] = new JsonObject { ["progressToken"] = 1 } }));
        string? lastId = null;
        while (await open.ReadEventAsync() is { } sse)
        {
            lastId = sse.Id ?? lastId;
            if (sse.Message is not null)
            {
                break;
            }
        }

        return lastId ?? "";
    }

    [Fact]
    public async Task LegacySse_InitializeAndCallAnswerOnTheEventStream()
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(_gateway.BaseAddress, "servers/demo/sse"));
        get.Headers.Accept.ParseAdd("text/event-stream");
        using var stream = await _gateway.Http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().Be("event: endpoint");
        var endpoint = (await reader.ReadLineAsync())!["data: ".Length..];
        endpoint.Should().StartWith("/servers/demo/message?sessionId=");
        var messageUrl = new Uri(_gateway.BaseAddress, endpoint);

        async Task<HttpStatusCode> PostAsync(JsonObject message)
        {
            using var response = await _gateway.Http.PostAsync(messageUrl, new StringContent(message.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            return response.StatusCode;
        }

        (await PostAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "initialize",
            ["params"] = new JsonObject { ["protocolVersion"] = "2024-11-05", ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "sse", ["version"] = "1" } },
        })).Should().Be(HttpStatusCode.Accepted);
        var initialized = (await SseEvent.ReadAsync(reader))!.Message!;
        (await PostAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" })).Should().Be(HttpStatusCode.Accepted);
        (await PostAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0", ["id"] = 2, ["method"] = "tools/call",
            ["params"] = new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "over sse" } },
        })).Should().Be(HttpStatusCode.Accepted);
        var called = (await SseEvent.ReadAsync(reader))!.Message!;

        ((string?)initialized["result"]!["protocolVersion"]).Should().Be("2024-11-05");
        ((int?)called["id"]).Should().Be(2);
        ((string?)called["result"]!["content"]![0]!["text"]).Should().Be("over sse");
    }

    [Fact]
    public async Task LegacySse_UnknownSessionId_Returns404()
    {
        using var response = await _gateway.Http.PostAsync("servers/demo/message?sessionId=nope", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private sealed class SynchronousProgress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
