using McpGateway.Configuration;
using static McpGateway.Tests.TestSupport.ConfigLoading;

namespace McpGateway.Tests.Configuration;

public sealed class GatewayConfigLoaderTests
{
    // ---- documents other MCP clients write, verbatim ----

    [Fact]
    public void LoadText_ClaudeDesktopDocument_LoadsStdioServersInFileOrder()
    {
        // Claude Desktop's claude_desktop_config.json (Windows paths, as its quickstart shows), plus the GitHub server's README entry.
        const string text = """
            {
              "mcpServers": {
                "filesystem": {
                  "command": "npx",
                  "args": [
                    "-y",
                    "@modelcontextprotocol/server-filesystem",
                    "C:\\Users\\username\\Desktop",
                    "C:\\Users\\username\\Downloads"
                  ]
                },
                "github": {
                  "command": "npx",
                  "args": [
                    "-y",
                    "@modelcontextprotocol/server-github"
                  ],
                  "env": {
                    "GITHUB_PERSONAL_ACCESS_TOKEN": "<YOUR_TOKEN>"
                  }
                }
              }
            }
            """;

        var result = Load(text);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        result.Succeeded.Should().BeTrue();
        var config = result.Config!;
        config.Servers.Select(s => s.Name).Should().Equal("filesystem", "github");
        var filesystem = config.Servers[0];
        filesystem.Transport.Should().Be(ServerTransport.Stdio);
        filesystem.Command.Should().Be("npx");
        filesystem.Args.Should().Equal("-y", "@modelcontextprotocol/server-filesystem", @"C:\Users\username\Desktop", @"C:\Users\username\Downloads");
        filesystem.Enabled.Should().BeTrue();
        config.Servers[1].Env.Should().Equal(new Dictionary<string, string> { ["GITHUB_PERSONAL_ACCESS_TOKEN"] = "<YOUR_TOKEN>" });
        config.Gateway.Should().Be(new GatewayOptions());
    }

    [Fact]
    public void LoadText_CursorDocument_LoadsStdioAndRemoteServersWithEnvReference()
    {
        // ~/.cursor/mcp.json: a stdio entry and a remote one, with Cursor's ${env:NAME} interpolation.
        const string text = """
            {
              "mcpServers": {
                "server-name": {
                  "command": "npx",
                  "args": ["-y", "mcp-server"],
                  "env": {
                    "API_KEY": "value"
                  }
                },
                "remote-server": {
                  "url": "http://localhost:3000/mcp",
                  "headers": {
                    "API_KEY": "${env:MY_SERVICE_TOKEN}"
                  }
                }
              }
            }
            """;

        var result = Load(text, ("MY_SERVICE_TOKEN", "s3cret"));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        var remote = result.Config!.FindServer("remote-server")!;
        remote.Transport.Should().Be(ServerTransport.AutoDetect);
        remote.IsRemote.Should().BeTrue();
        remote.Url.Should().Be(new Uri("http://localhost:3000/mcp"));
        remote.Headers.Should().Equal(new Dictionary<string, string> { ["API_KEY"] = "s3cret" });
        result.Config.FindServer("server-name")!.Env["API_KEY"].Should().Be("value");
    }

    [Fact]
    public void LoadText_VsCodeDocumentWithInputs_WarnsOnInputsAndRejectsThePromptInput()
    {
        // .vscode/mcp.json from VS Code's MCP documentation: JSONC comments, `servers`, `type`, `inputs`, ${input:...}.
        const string text = """
            {
                // 💡 Inputs are prompted on first server start, then stored securely by VS Code.
                "inputs": [
                    {
                        "type": "promptString",
                        "id": "perplexity-key",
                        "description": "Perplexity API Key",
                        "password": true
                    }
                ],
                "servers": {
                    // https://github.com/github/github-mcp-server/
                    "Github": {
                        "url": "https://api.githubcopilot.com/mcp/"
                    },
                    // https://github.com/ppl-ai/modelcontextprotocol/
                    "Perplexity": {
                        "type": "stdio",
                        "command": "npx",
                        "args": [
                            "-y",
                            "server-perplexity-ask"
                        ],
                        "env": {
                            "PERPLEXITY_API_KEY": "${input:perplexity-key}"
                        }
                    }
                }
            }
            """;

        var result = Load(text);

        result.Config.Should().BeNull();
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be("servers.Perplexity.env.PERPLEXITY_API_KEY");
        error.Line.Should().Be(25);
        error.Message.Should().Contain("${input:perplexity-key}").And.Contain("cannot prompt").And.Contain("${VAR}");
        var warning = result.Warnings.Should().ContainSingle().Subject;
        warning.Should().Be(new ConfigDiagnostic("inputs", 3, "unknown key, ignored"));
    }

    [Fact]
    public void LoadText_VsCodeDocumentWithTabsCommentsAndTrailingCommas_MapsTypeToTransport()
    {
        const string text =
            "{\n" +
            "\t/* servers for this workspace */\n" +
            "\t\"servers\": {\n" +
            "\t\t\"github\": {\n" +
            "\t\t\t\"type\": \"http\",\n" +
            "\t\t\t\"url\": \"https://api.githubcopilot.com/mcp/\", // trailing comment\n" +
            "\t\t},\n" +
            "\t\t\"legacy\": { \"type\": \"sse\", \"url\": \"https://legacy.example.com/sse\" },\n" +
            "\t\t\"modern\": { \"type\": \"streamableHttp\", \"url\": \"https://modern.example.com/mcp\" },\n" +
            "\t\t\"memory\": {\n" +
            "\t\t\t\"type\": \"stdio\",\n" +
            "\t\t\t\"command\": \"npx\",\n" +
            "\t\t\t\"args\": [\"-y\", \"@modelcontextprotocol/server-memory\"],\n" +
            "\t\t},\n" +
            "\t},\n" +
            "}\n";

        var result = Load(text);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        result.Config!.Servers.Select(s => (s.Name, s.Transport)).Should().Equal(
            ("github", ServerTransport.AutoDetect),
            ("legacy", ServerTransport.Sse),
            ("modern", ServerTransport.StreamableHttp),
            ("memory", ServerTransport.Stdio));
        result.Config.Servers[0].Url.Should().Be(new Uri("https://api.githubcopilot.com/mcp/"));
    }

    [Fact]
    public void LoadText_ClineDocument_DisabledTurnsServerOffAndApprovalKeysWarn()
    {
        const string text = """
            {
              "mcpServers": {
                "weather": {
                  "command": "node",
                  "args": ["/path/to/weather-server/build/index.js"],
                  "env": { "OPENWEATHER_API_KEY": "key" },
                  "disabled": true,
                  "autoApprove": [],
                  "alwaysAllow": ["get_forecast"]
                }
              }
            }
            """;

        var result = Load(text);

        result.Errors.Should().BeEmpty();
        result.Config!.Servers.Should().ContainSingle().Which.Enabled.Should().BeFalse();
        result.Warnings.Should().Equal(
            new ConfigDiagnostic("mcpServers.weather.autoApprove", 8, "unknown key, ignored"),
            new ConfigDiagnostic("mcpServers.weather.alwaysAllow", 9, "unknown key, ignored"));
    }

    // ---- the YAML shape ----

    [Fact]
    public void LoadText_YamlWithEveryOption_ReadsAllValues()
    {
        const string text = """
            # gateway settings
            gateway:
              listen: http://0.0.0.0:9090
              maxRequestBodyBytes: 1048576
              requestTimeout: 90s
              connectTimeout: 250ms
              sessionIdleTimeout: 1h
              allowedOrigins: ["https://app.example.com", "*"]
              allowAnonymous: true
            mcpServers:
              everything:
                command: npx
                args: ["-y", "@modelcontextprotocol/server-everything"]
                env: { LOG_LEVEL: info, PORT: 8080, DEBUG: false }
                cwd: /srv/mcp
                description: Reference server
                enabled: false
                sessions: shared
                restart: { initialBackoff: 1s, maxBackoff: 2m }
                connectTimeout: 00:00:10
              remote:
                url: https://mcp.example.com/mcp
                headers: { Authorization: "Bearer abc" }
                additionalHeaders: { X-Tenant: blue }
                transport: streamable-http
                requestTimeout: 10
                sessions: per-client
            virtualServers:
              code-review:
                servers: [remote]
                tools: { allow: ["remote__get_*"] }
            """;

        var result = LoadText(text, "gateway.yaml");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        var config = result.Config!;
        config.Source.Should().Be("gateway.yaml");
        config.Gateway.Should().BeEquivalentTo(new GatewayOptions
        {
            Listen = "http://0.0.0.0:9090",
            MaxRequestBodyBytes = 1048576,
            RequestTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = TimeSpan.FromMilliseconds(250),
            SessionIdleTimeout = TimeSpan.FromHours(1),
            AllowedOrigins = ["https://app.example.com", "*"],
            AllowAnonymous = true,
        });

        var everything = config.Servers[0];
        everything.Should().BeEquivalentTo(new ServerConfig
        {
            Name = "everything",
            Transport = ServerTransport.Stdio,
            Command = "npx",
            Args = ["-y", "@modelcontextprotocol/server-everything"],
            Env = new Dictionary<string, string> { ["LOG_LEVEL"] = "info", ["PORT"] = "8080", ["DEBUG"] = "false" },
            Cwd = "/srv/mcp",
            Description = "Reference server",
            Enabled = false,
            Sessions = SessionMode.Shared,
            RestartInitialBackoff = TimeSpan.FromSeconds(1),
            RestartMaxBackoff = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        }, options => options.Excluding(s => s.Definition));

        var remote = config.Servers[1];
        remote.Should().BeEquivalentTo(new ServerConfig
        {
            Name = "remote",
            Transport = ServerTransport.StreamableHttp,
            Url = new Uri("https://mcp.example.com/mcp"),
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer abc", ["X-Tenant"] = "blue" },
            RequestTimeout = TimeSpan.FromSeconds(10),
            Sessions = SessionMode.PerClient,
        }, options => options.Excluding(s => s.Definition));
    }

    [Fact]
    public void LoadText_MinimalServers_GetDefaults()
    {
        var result = Load("""
            mcpServers:
              local: { command: uvx }
              remote: { url: "https://mcp.example.com/mcp" }
            """);

        result.Errors.Should().BeEmpty();
        result.Config!.Gateway.Should().Be(new GatewayOptions());
        result.Config.Servers[0].Should().BeEquivalentTo(new ServerConfig { Name = "local", Transport = ServerTransport.Stdio, Command = "uvx" }, options => options.Excluding(s => s.Definition));
        result.Config.Servers[1].Should().BeEquivalentTo(new ServerConfig { Name = "remote", Transport = ServerTransport.AutoDetect, Url = new Uri("https://mcp.example.com/mcp") }, options => options.Excluding(s => s.Definition));
        result.Config.Servers[1].Headers.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_NullOptionalValues_AreTreatedAsAbsent()
    {
        var result = Load("""
            gateway:
            mcpServers:
              local:
                command: npx
                cwd: null
                description: ~
                env:
            """);

        result.Errors.Should().BeEmpty();
        result.Config!.Gateway.Should().Be(new GatewayOptions());
        var local = result.Config.Servers.Should().ContainSingle().Subject;
        local.Cwd.Should().BeNull();
        local.Description.Should().BeNull();
        local.Env.Should().BeEmpty();
    }

    [Theory]
    [InlineData("30", 30_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("250ms", 250)]
    [InlineData("60s", 60_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("\"00:01:30\"", 90_000)]
    [InlineData("0.5h", 1_800_000)]
    public void LoadText_DurationForms_AreParsed(string written, int expectedMilliseconds)
    {
        var result = Load($"gateway:\n  requestTimeout: {written}\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Gateway.RequestTimeout.Should().Be(TimeSpan.FromMilliseconds(expectedMilliseconds));
    }

    [Theory]
    [InlineData("soon", "is not a duration")]
    [InlineData("5 minutes", "is not a duration")]
    [InlineData("1,5s", "is not a duration")]
    [InlineData("-5s", "must be longer than zero")]
    [InlineData("0", "must be longer than zero")]
    [InlineData("[5s]", "must be a duration, not a list")]
    public void LoadText_BadGatewayDuration_ErrorNamesKeyLineAndFormats(string written, string problem)
    {
        var result = Load($"gateway:\n  listen: http://127.0.0.1:8080\n  sessionIdleTimeout: {written}\nmcpServers: {{}}\n");

        var error = SingleError(result);
        error.Key.Should().Be("gateway.sessionIdleTimeout");
        error.Line.Should().Be(3);
        error.Message.Should().Contain(problem);
        if (!written.StartsWith('['))
        {
            error.Message.Should().Contain("250ms").And.Contain("30s").And.Contain("hh:mm:ss");
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("4MB")]
    [InlineData("1.5")]
    public void LoadText_BadMaxRequestBodyBytes_ErrorSaysWholeNumber(string written)
    {
        var error = SingleError(Load($"gateway:\n  maxRequestBodyBytes: {written}\n"));

        error.Key.Should().Be("gateway.maxRequestBodyBytes");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("whole number of bytes greater than zero").And.Contain("4194304");
    }

    [Theory]
    [InlineData("https://localhost:8443")]
    [InlineData("http://*:8080")]
    [InlineData("http://+:80")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("http://127.0.0.1:8080;http://[::1]:8080")]
    public void LoadText_ListenAddressForms_AreAccepted(string listen)
    {
        var result = Load($"gateway:\n  listen: \"{listen}\"\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Gateway.Listen.Should().Be(listen);
    }

    [Theory]
    [InlineData("localhost:8080", "absolute http:// or https:// URL")]
    [InlineData("127.0.0.1:8080", "absolute http:// or https:// URL")]
    [InlineData("ftp://127.0.0.1:21", "absolute http:// or https:// URL")]
    [InlineData("http://127.0.0.1:8080/mcp", "cannot have a path")]
    [InlineData("http://127.0.0.1:8080;8081", "every `;`-separated address")]
    public void LoadText_BadListen_ErrorNamesKeyLineAndExample(string listen, string problem)
    {
        var error = SingleError(Load($"mcpServers: {{}}\ngateway:\n  listen: \"{listen}\"\n"));

        error.Key.Should().Be("gateway.listen");
        error.Line.Should().Be(3);
        error.Message.Should().Contain(problem).And.Contain("http://127.0.0.1:8080");
    }

    [Fact]
    public void LoadText_AllowedOrigins_AreNormalizedToTheOriginHeaderForm()
    {
        var result = Load("""
            gateway:
              allowedOrigins:
                - https://App.Example.com:443/
                - http://localhost:3000
                - "*"
            """);

        result.Errors.Should().BeEmpty();
        result.Config!.Gateway.AllowedOrigins.Should().Equal("https://app.example.com", "http://localhost:3000", "*");
    }

    [Fact]
    public void LoadText_BadAllowedOrigin_ErrorNamesTheItem()
    {
        var error = SingleError(Load("""
            gateway:
              allowedOrigins:
                - https://ok.example.com
                - app.example.com
            """));

        error.Key.Should().Be("gateway.allowedOrigins[1]");
        error.Line.Should().Be(4);
        error.Message.Should().Contain("`app.example.com` is not an origin").And.Contain("https://app.example.com");
    }

    [Fact]
    public void LoadText_AllowedOriginsNotAList_ErrorShowsListSyntax()
    {
        var error = SingleError(Load("gateway:\n  allowedOrigins: https://app.example.com\n"));

        error.Key.Should().Be("gateway.allowedOrigins");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("must be a list of strings").And.Contain("[\"https://app.example.com\"]");
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("{}")]
    public void LoadText_AllowAnonymousNotBoolean_ErrorSaysTrueOrFalse(string written)
    {
        var error = SingleError(Load($"gateway:\n  allowAnonymous: {written}\n"));

        error.Key.Should().Be("gateway.allowAnonymous");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("true or false");
    }

    [Fact]
    public void LoadText_GatewayNotAMapping_ErrorShowsExample()
    {
        var error = SingleError(Load("gateway: http://127.0.0.1:8080\n"));

        error.Key.Should().Be("gateway");
        error.Line.Should().Be(1);
        error.Message.Should().Contain("must be a mapping").And.Contain("listen: http://127.0.0.1:8080");
    }

    // ---- environment expansion ----

    [Fact]
    public void LoadText_EnvironmentReferences_ExpandInEveryStringValue()
    {
        var result = Load(
            """
            gateway:
              listen: http://127.0.0.1:${PORT}
              requestTimeout: ${TIMEOUT}
            mcpServers:
              local:
                command: ${TOOLS}/bin/server
                args: ["--token=${TOKEN}", "${env:TOKEN}"]
                env: { TOKEN: "${TOKEN}" }
                cwd: ${HOME_DIR}
              remote:
                url: https://${HOST}/mcp
                headers: { Authorization: "Bearer ${TOKEN}" }
            """,
            ("PORT", "9000"), ("TIMEOUT", "5s"), ("TOOLS", "/opt/tools"), ("TOKEN", "t0k"), ("HOME_DIR", "/home/me"), ("HOST", "mcp.example.com"));

        result.Errors.Should().BeEmpty();
        var config = result.Config!;
        config.Gateway.Listen.Should().Be("http://127.0.0.1:9000");
        config.Gateway.RequestTimeout.Should().Be(TimeSpan.FromSeconds(5));
        var local = config.Servers[0];
        local.Command.Should().Be("/opt/tools/bin/server");
        local.Args.Should().Equal("--token=t0k", "t0k");
        local.Env["TOKEN"].Should().Be("t0k");
        local.Cwd.Should().Be("/home/me");
        config.Servers[1].Url.Should().Be(new Uri("https://mcp.example.com/mcp"));
        config.Servers[1].Headers["Authorization"].Should().Be("Bearer t0k");
    }

    [Fact]
    public void LoadText_MissingVariable_ErrorNamesKeyPathAndVariable()
    {
        var result = Load("""
            mcpServers:
              remote:
                url: https://mcp.example.com/mcp
                headers: { Authorization: "Bearer ${REMOTE_TOKEN}" }
            """);

        var error = SingleError(result);
        error.Should().Be(new ConfigDiagnostic(
            "mcpServers.remote.headers.Authorization",
            4,
            "environment variable REMOTE_TOKEN is not set; export it or remove the reference"));
        error.ToString().Should().Be("mcpServers.remote.headers.Authorization (line 4): environment variable REMOTE_TOKEN is not set; export it or remove the reference");
    }

    [Fact]
    public void LoadText_SeveralMissingVariables_AreAllReported()
    {
        var result = Load("""
            mcpServers:
              a:
                command: ${A_CMD}
                args: ["${X}-${Y}"]
              b:
                url: ${B_URL}
            """);

        result.Config.Should().BeNull();
        result.Errors.Select(e => (e.Key, e.Line, e.Message[..e.Message.IndexOf(';', StringComparison.Ordinal)])).Should().Equal(
            ("mcpServers.a.command", 3, "environment variable A_CMD is not set"),
            ("mcpServers.a.args[0]", 4, "environment variable X is not set"),
            ("mcpServers.a.args[0]", 4, "environment variable Y is not set"),
            ("mcpServers.b.url", 6, "environment variable B_URL is not set"));
    }

    [Fact]
    public void LoadText_EmptyVariable_ExpandsToEmptyText()
    {
        var result = Load("mcpServers:\n  a:\n    command: npx\n    env: { OPTIONAL: \"${EMPTY}\" }\n", ("EMPTY", string.Empty));

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Env["OPTIONAL"].Should().BeEmpty();
    }

    [Theory]
    [InlineData("$${HOME}", "${HOME}")]
    [InlineData("a$${B}c$${", "a${B}c${")]
    [InlineData("$HOME and $ and $$", "$HOME and $ and $$")]
    [InlineData("${env:HOME}/x", "/home/me/x")]
    [InlineData("$${HOME}=${HOME}", "${HOME}=/home/me")]
    public void LoadText_DollarForms_ExpandOrStayLiteral(string written, string expected)
    {
        var result = Load($"mcpServers:\n  a:\n    command: npx\n    args: [\"{written}\"]\n", ("HOME", "/home/me"));

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Args.Should().Equal(expected);
    }

    [Fact]
    public void LoadText_VariableValueContainingReference_IsNotExpandedAgain()
    {
        var result = Load("mcpServers:\n  a:\n    command: ${CMD}\n", ("CMD", "${OTHER}"));

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Command.Should().Be("${OTHER}");
    }

    [Theory]
    [InlineData("${UNCLOSED", "is not closed")]
    [InlineData("${VAR:-default}", "is not a variable reference the gateway understands")]
    [InlineData("${}", "is not a variable reference the gateway understands")]
    [InlineData("${config:editor.tabSize}", "is not a variable reference the gateway understands")]
    public void LoadText_BadReference_ErrorExplainsTheSyntax(string written, string problem)
    {
        var error = SingleError(Load($"mcpServers:\n  a:\n    command: npx\n    args: [\"{written}\"]\n"));

        error.Key.Should().Be("mcpServers.a.args[0]");
        error.Line.Should().Be(4);
        error.Message.Should().Contain(problem).And.Contain("$${");
    }

    [Fact]
    public void LoadText_VsCodeEditorVariable_ErrorSaysToWriteTheValue()
    {
        var error = SingleError(Load("mcpServers:\n  a:\n    command: python\n    args: [\"${workspaceFolder}/server.py\"]\n"));

        error.Key.Should().Be("mcpServers.a.args[0]");
        error.Message.Should().Contain("workspaceFolder is not set").And.Contain("filled in by VS Code").And.Contain("write the value itself");
    }

    [Fact]
    public void LoadText_EnvironmentLookupOmitted_UsesProcessEnvironment()
    {
        // PATH is set for every test process; the expansion must come from the real environment.
        var result = GatewayConfigLoader.LoadText("mcpServers:\n  a:\n    command: npx\n    env: { P: \"${PATH}\" }\n", "test");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Env["P"].Should().Be(Environment.GetEnvironmentVariable("PATH"));
    }

    // ---- server errors ----

    [Fact]
    public void LoadText_ServerWithNeitherCommandNorUrl_ErrorSaysWhatToSet()
    {
        var error = SingleError(Load("""
            mcpServers:
              ok: { command: npx }
              x:
                description: nothing to run
            """));

        error.Should().Be(new ConfigDiagnostic("mcpServers.x", 3, "set either `command` (stdio) or `url` (remote)"));
    }

    [Fact]
    public void LoadText_ServerWithNoSettings_ErrorSaysWhatToSet()
    {
        var error = SingleError(Load("mcpServers:\n  x:\n"));

        error.Should().Be(new ConfigDiagnostic("mcpServers.x", 2, "set either `command` (stdio) or `url` (remote)"));
    }

    [Fact]
    public void LoadText_ServerNotAMapping_ErrorSaysWhatToSet()
    {
        var error = SingleError(Load("mcpServers:\n  x: npx server\n"));

        error.Key.Should().Be("mcpServers.x");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("must be a mapping").And.Contain("`command` (stdio) or `url` (remote)");
    }

    [Fact]
    public void LoadText_ServerWithCommandAndUrl_ErrorSaysOnlyOne()
    {
        var error = SingleError(Load("""
            mcpServers:
              x:
                command: npx
                url: https://mcp.example.com/mcp
            """));

        error.Key.Should().Be("mcpServers.x");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("set only one of `command` (stdio) or `url` (remote), not both");
    }

    [Fact]
    public void LoadText_EmptyCommand_ErrorSaysWhatToWrite()
    {
        var error = SingleError(Load("mcpServers:\n  x:\n    command: \"\"\n"));

        error.Key.Should().Be("mcpServers.x.command");
        error.Line.Should().Be(3);
        error.Message.Should().Contain("is empty").And.Contain("e.g. npx");
    }

    [Theory]
    [InlineData("args: -y server", "mcpServers.x.args", 3, "must be a list of strings")]
    [InlineData("args: { a: b }", "mcpServers.x.args", 3, "must be a list of strings")]
    [InlineData("args: [-y, { a: b }]", "mcpServers.x.args[1]", 3, "must be a string, not a mapping")]
    [InlineData("args:\n      - -y\n      - [nested]", "mcpServers.x.args[1]", 5, "must be a string, not a list")]
    [InlineData("args: [-y, null]", "mcpServers.x.args[1]", 3, "must be a string; it is empty")]
    [InlineData("env: [A=1]", "mcpServers.x.env", 3, "must be a mapping of names to strings")]
    [InlineData("env: { A: [1] }", "mcpServers.x.env.A", 3, "must be a string, not a list")]
    [InlineData("env: { A: }", "mcpServers.x.env.A", 3, "must be a string; it is empty")]
    [InlineData("env: { \"A=B\": c }", "mcpServers.x.env.A=B", 3, "not a valid environment variable name")]
    [InlineData("cwd: [a]", "mcpServers.x.cwd", 3, "must be a string, not a list")]
    [InlineData("description: { a: b }", "mcpServers.x.description", 3, "must be a string, not a mapping")]
    [InlineData("enabled: maybe", "mcpServers.x.enabled", 3, "write true or false")]
    [InlineData("disabled: 0", "mcpServers.x.disabled", 3, "write true or false")]
    [InlineData("requestTimeout: fast", "mcpServers.x.requestTimeout", 3, "250ms")]
    [InlineData("connectTimeout: 0s", "mcpServers.x.connectTimeout", 3, "must be longer than zero")]
    [InlineData("sessions: per-user", "mcpServers.x.sessions", 3, "write one of perClient or shared")]
    [InlineData("sessionMode: exclusive", "mcpServers.x.sessionMode", 3, "write one of perClient or shared")]
    [InlineData("restart: 5s", "mcpServers.x.restart", 3, "initialBackoff: 250ms, maxBackoff: 30s")]
    [InlineData("restart: { maxBackoff: forever }", "mcpServers.x.restart.maxBackoff", 3, "is not a duration")]
    [InlineData("restart: { initialBackoff: 1m }", "mcpServers.x.restart", 3, "`initialBackoff` (1m) is longer than `maxBackoff` (30s)")]
    [InlineData("transport: websocket", "mcpServers.x.transport", 3, "write one of stdio, http, streamable-http, streamableHttp or sse")]
    public void LoadText_StdioServerBadValue_ErrorNamesKeyLineAndFix(string entry, string key, int line, string fix)
    {
        var error = SingleError(Load($"mcpServers:\n  x:\n    {entry}\n    command: npx\n"));

        error.Key.Should().Be(key);
        error.Line.Should().Be(line);
        error.Message.Should().Contain(fix);
    }

    [Theory]
    [InlineData("url: ftp://mcp.example.com/mcp", "mcpServers.x.url", "https://mcp.example.com/mcp")]
    [InlineData("url: /var/run/mcp.sock", "mcpServers.x.url", "absolute http:// or https:// URL")]
    [InlineData("url: mcp.example.com/mcp", "mcpServers.x.url", "absolute http:// or https:// URL")]
    [InlineData("url: [https://a]", "mcpServers.x.url", "must be a URL, not a list")]
    [InlineData("headers: [Authorization]", "mcpServers.x.headers", "must be a mapping of names to strings")]
    [InlineData("headers: { \"Bad Header\": x }", "mcpServers.x.headers.Bad Header", "not a valid HTTP header name")]
    [InlineData("additionalHeaders: { X-Id: { a: b } }", "mcpServers.x.additionalHeaders.X-Id", "must be a string, not a mapping")]
    [InlineData("type: smoke-signal", "mcpServers.x.type", "write one of stdio, http, streamable-http, streamableHttp or sse")]
    public void LoadText_RemoteServerBadValue_ErrorNamesKeyLineAndFix(string entry, string key, string fix)
    {
        var error = SingleError(Load($"mcpServers:\n  ok: {{ command: npx }}\n  x:\n    {entry}\n    sessions: shared\n" + (entry.StartsWith("url", StringComparison.Ordinal) ? string.Empty : "    url: https://a.example.com\n")));

        error.Key.Should().Be(key);
        error.Line.Should().Be(4);
        error.Message.Should().Contain(fix);
    }

    [Theory]
    [InlineData("transport", "stdio", ServerTransport.Stdio)]
    [InlineData("type", "stdio", ServerTransport.Stdio)]
    [InlineData("type", "STDIO", ServerTransport.Stdio)]
    public void LoadText_StdioTransportWithCommand_IsAccepted(string key, string value, ServerTransport expected)
    {
        var result = Load($"mcpServers:\n  x:\n    {key}: {value}\n    command: npx\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Transport.Should().Be(expected);
    }

    [Theory]
    [InlineData("transport", "streamable-http", ServerTransport.StreamableHttp)]
    [InlineData("transport", "sse", ServerTransport.Sse)]
    [InlineData("transport", "http", ServerTransport.AutoDetect)]
    [InlineData("type", "http", ServerTransport.AutoDetect)]
    [InlineData("type", "streamable-http", ServerTransport.StreamableHttp)]
    [InlineData("type", "streamableHttp", ServerTransport.StreamableHttp)]
    [InlineData("type", "sse", ServerTransport.Sse)]
    public void LoadText_RemoteTransportValues_MapToTransport(string key, string value, ServerTransport expected)
    {
        var result = Load($"mcpServers:\n  x:\n    url: https://mcp.example.com/mcp\n    {key}: {value}\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Transport.Should().Be(expected);
    }

    [Theory]
    [InlineData("type")]
    [InlineData("transport")]
    public void LoadText_StdioTransportWithUrl_ErrorSaysToRemoveIt(string key)
    {
        var error = SingleError(Load($"mcpServers:\n  x:\n    url: https://mcp.example.com/mcp\n    {key}: stdio\n"));

        error.Key.Should().Be($"mcpServers.x.{key}");
        error.Line.Should().Be(4);
        error.Message.Should().Contain($"remove `{key}`").And.Contain("http, streamable-http or sse");
    }

    [Fact]
    public void LoadText_RemoteTransportWithCommand_ErrorSaysToUseUrl()
    {
        var error = SingleError(Load("mcpServers:\n  x:\n    command: npx\n    transport: sse\n"));

        error.Key.Should().Be("mcpServers.x.transport");
        error.Line.Should().Be(4);
        error.Message.Should().Contain("remove `transport`").And.Contain("replace `command` with `url`");
    }

    [Fact]
    public void LoadText_TransportAndTypeDisagree_ErrorSaysKeepOne()
    {
        var error = SingleError(Load("mcpServers:\n  x:\n    url: https://mcp.example.com/mcp\n    transport: sse\n    type: streamable-http\n"));

        error.Key.Should().Be("mcpServers.x.type");
        error.Line.Should().Be(5);
        error.Message.Should().Contain("keep only one of `transport` and `type`");
    }

    [Fact]
    public void LoadText_TransportAndTypeAgree_IsAccepted()
    {
        var result = Load("mcpServers:\n  x:\n    url: https://mcp.example.com/mcp\n    transport: streamable-http\n    type: streamableHttp\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Transport.Should().Be(ServerTransport.StreamableHttp);
    }

    [Theory]
    [InlineData("my server")]
    [InlineData("-leading-dash")]
    [InlineData("github.com/modelcontextprotocol/servers")]
    [InlineData("émoji")]
    [InlineData("a2345678901234567890123456789012345678901234567890123456789012345")]
    public void LoadText_BadServerName_ErrorGivesTheAllowedPattern(string name)
    {
        var error = SingleError(Load($"mcpServers:\n  ok: {{ command: npx }}\n  \"{name}\":\n    command: npx\n"));

        error.Key.Should().Be($"mcpServers.{name}");
        error.Line.Should().Be(3);
        error.Message.Should().Contain("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$").And.Contain("letters, digits");
    }

    [Fact]
    public void LoadText_ServerNameWithSeparator_ErrorExplainsTheSeparator()
    {
        var error = SingleError(Load("mcpServers:\n  my__server:\n    command: npx\n"));

        error.Key.Should().Be("mcpServers.my__server");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("contains `__`").And.Contain("single `_` or `-`");
    }

    [Theory]
    [InlineData("a")]
    [InlineData("A.b-c_d")]
    [InlineData("0")]
    [InlineData("a2345678901234567890123456789012345678901234567890123456789012_4")]
    public void LoadText_GoodServerName_IsAccepted(string name)
    {
        var result = Load($"mcpServers:\n  \"{name}\":\n    command: npx\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Name.Should().Be(name);
    }

    [Fact]
    public void LoadText_HeadersAndAdditionalHeaders_AreMerged()
    {
        var result = Load("""
            mcpServers:
              x:
                url: https://mcp.example.com/mcp
                headers: { Authorization: Bearer a }
                additionalHeaders: { X-Api-Version: 2 }
            """);

        result.Errors.Should().BeEmpty();
        var headers = result.Config!.Servers[0].Headers;
        headers.Should().Equal(new Dictionary<string, string> { ["Authorization"] = "Bearer a", ["X-Api-Version"] = "2" });
        headers.Should().ContainKey("authorization", "HTTP header names ignore case");
    }

    [Fact]
    public void LoadText_SameHeaderInHeadersAndAdditionalHeaders_ErrorSaysSetOnce()
    {
        var error = SingleError(Load("""
            mcpServers:
              x:
                url: https://mcp.example.com/mcp
                headers: { Authorization: Bearer a }
                additionalHeaders:
                  authorization: Bearer b
            """));

        error.Key.Should().Be("mcpServers.x.additionalHeaders.authorization");
        error.Line.Should().Be(6);
        error.Message.Should().Contain("already set in `mcpServers.x.headers.Authorization`").And.Contain("set each header once");
    }

    [Fact]
    public void LoadText_HeaderValueWithLineBreak_ErrorWithoutQuotingTheValue()
    {
        var error = SingleError(Load(
            "mcpServers:\n  x:\n    url: https://mcp.example.com/mcp\n    headers: { Authorization: \"${TOKEN}\" }\n",
            ("TOKEN", "secret\r\nX-Injected: 1")));

        error.Key.Should().Be("mcpServers.x.headers.Authorization");
        error.Line.Should().Be(4);
        error.Message.Should().Contain("line break").And.NotContain("secret");
    }

    [Theory]
    [InlineData("enabled: true\n    disabled: true", 4)]
    [InlineData("disabled: false\n    enabled: false", 3)]
    public void LoadText_EnabledAndDisabledContradict_ErrorSaysKeepEnabled(string entries, int line)
    {
        var error = SingleError(Load($"mcpServers:\n  x:\n    {entries}\n    command: npx\n"));

        error.Key.Should().Be("mcpServers.x.disabled");
        error.Line.Should().Be(line);
        error.Message.Should().Contain("contradict").And.Contain("keep only `enabled`");
    }

    [Theory]
    [InlineData("enabled: true\n    disabled: false", true)]
    [InlineData("disabled: false", true)]
    [InlineData("enabled: False", false)]
    public void LoadText_EnabledAndDisabledAgree_IsAccepted(string entries, bool enabled)
    {
        var result = Load($"mcpServers:\n  x:\n    {entries}\n    command: npx\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Enabled.Should().Be(enabled);
    }

    [Fact]
    public void LoadText_StdioKeysOnRemoteServer_WarnAndAreDropped()
    {
        var result = Load("""
            mcpServers:
              x:
                url: https://mcp.example.com/mcp
                args: [--verbose]
                env: { A: b }
                cwd: /tmp
                restart: { maxBackoff: 1m }
            """);

        result.Errors.Should().BeEmpty();
        result.Warnings.Select(w => (w.Key, w.Line)).Should().Equal(
            ("mcpServers.x.args", 4), ("mcpServers.x.env", 5), ("mcpServers.x.cwd", 6), ("mcpServers.x.restart", 7));
        result.Warnings.Should().OnlyContain(w => w.Message == "only used by stdio (`command`) servers; ignored for a `url` server");
        var server = result.Config!.Servers[0];
        server.Args.Should().BeEmpty();
        server.Env.Should().BeEmpty();
        server.Cwd.Should().BeNull();
    }

    [Fact]
    public void LoadText_HeadersOnStdioServer_WarnAndAreDropped()
    {
        var result = Load("mcpServers:\n  x:\n    command: npx\n    headers: { A: b }\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Equal(new ConfigDiagnostic("mcpServers.x.headers", 4, "only used by remote (`url`) servers; ignored for a `command` server"));
        result.Config!.Servers[0].Headers.Should().BeEmpty();
    }

    // ---- sections ----

    [Fact]
    public void LoadText_ServersAlias_IsReadLikeMcpServers()
    {
        var result = Load("servers:\n  x:\n    command: npx\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers.Should().ContainSingle().Which.Name.Should().Be("x");
    }

    [Fact]
    public void LoadText_McpServersAndServers_ErrorSaysKeepOne()
    {
        var error = SingleError(Load("""
            mcpServers:
              a: { command: npx }
            servers:
              b: { command: npx }
            """));

        error.Key.Should().Be("servers");
        error.Line.Should().Be(3);
        error.Message.Should().Contain("`mcpServers` (line 1) and `servers` are the same section").And.Contain("keep one");
    }

    [Fact]
    public void LoadText_ServersSectionNotAMapping_ErrorShowsExample()
    {
        var error = SingleError(Load("mcpServers:\n  - command: npx\n"));

        error.Key.Should().Be("mcpServers");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("mapping from server name").And.Contain("everything: { command: npx }");
    }

    [Fact]
    public void LoadText_RootNotAMapping_ErrorSaysWhatTheTopLevelIs()
    {
        var error = SingleError(Load("- command: npx\n"));

        error.Key.Should().BeEmpty();
        error.Line.Should().Be(1);
        error.Message.Should().Contain("mapping with `mcpServers:`");
    }

    [Theory]
    [InlineData("")]
    [InlineData("# just a comment\n")]
    [InlineData("{}")]
    [InlineData("mcpServers:\n")]
    [InlineData("mcpServers: {}\n")]
    [InlineData("{ \"mcpServers\": {} }")]
    [InlineData("gateway:\n  listen: http://127.0.0.1:9000\n")]
    public void LoadText_NoServers_IsValidWithWarning(string text)
    {
        var result = Load(text);

        result.Errors.Should().BeEmpty();
        result.Config!.Servers.Should().BeEmpty();
        var warning = result.Warnings.Should().ContainSingle().Subject;
        warning.Key.Should().Be("mcpServers");
        warning.Message.Should().StartWith("no servers configured");
    }

    [Fact]
    public void LoadText_UnknownKeys_WarnWithPathAndLineAndConfigStillLoads()
    {
        var result = Load("""
            $schema: https://example.com/schema.json
            gateway:
              port: 8080
            mcpServers:
              x:
                Command: npx
                command: npx
                timeout: 60
                serverUrl: https://x.example.com
                autoApprove: [read]
                restart: { retries: 3 }
            inputs: []
            """);

        result.Errors.Should().BeEmpty();
        result.Config.Should().NotBeNull();
        result.Warnings.Should().Equal(
            new ConfigDiagnostic("gateway.port", 3, "unknown key, ignored"),
            new ConfigDiagnostic("mcpServers.x.Command", 6, "unknown key, ignored; did you mean `command`?"),
            new ConfigDiagnostic("mcpServers.x.timeout", 8, "unknown key, ignored; for a per-request limit write `requestTimeout: 60s`"),
            new ConfigDiagnostic("mcpServers.x.serverUrl", 9, "unknown key, ignored; write `url` instead"),
            new ConfigDiagnostic("mcpServers.x.autoApprove", 10, "unknown key, ignored"),
            new ConfigDiagnostic("mcpServers.x.restart.retries", 11, "unknown key, ignored"),
            new ConfigDiagnostic("inputs", 12, "unknown key, ignored"));
    }

    [Fact]
    public void LoadText_ManyProblems_AreAllCollected()
    {
        var result = Load("""
            gateway:
              listen: 8080
              requestTimeout: later
            mcpServers:
              a:
                url: gopher://old
              b: {}
              c__d:
                command: npx
                sessions: all
            """);

        result.Config.Should().BeNull();
        result.Succeeded.Should().BeFalse();
        result.Errors.Select(e => (e.Key, e.Line)).Should().Equal(
            ("gateway.listen", 2),
            ("gateway.requestTimeout", 3),
            ("mcpServers.a.url", 6),
            ("mcpServers.b", 7),
            ("mcpServers.c__d", 8),
            ("mcpServers.c__d.sessions", 10));
    }

    [Fact]
    public void LoadText_DuplicateKeys_EveryDuplicateIsAnErrorWithPathAndLine()
    {
        var result = Load("""
            mcpServers:
              a:
                command: npx
                args: [x]
                command: uvx
              b: { url: "https://x.example.com" }
              a:
                url: https://y.example.com
            gateway: {}
            """);

        result.Config.Should().BeNull();
        result.Errors.Should().Equal(
            new ConfigDiagnostic("mcpServers.a.command", 5, "duplicate key `command`; a key may appear once per mapping, so merge the two entries into one"),
            new ConfigDiagnostic("mcpServers.a", 7, "duplicate key `a`; a key may appear once per mapping, so merge the two entries into one"));
    }

    [Fact]
    public void LoadText_DuplicateKeysInJson_ErrorNamesPathInsideLists()
    {
        var result = Load("""
            {
              "mcpServers": { "a": { "command": "npx" } },
              "virtualServers": { "v": { "views": [ { "k": 1, "k": 2 } ] } }
            }
            """);

        result.Errors.Should().Equal(
            new ConfigDiagnostic("virtualServers.v.views[0].k", 3, "duplicate key `k`; a key may appear once per mapping, so merge the two entries into one"));
    }

    // ---- malformed text ----

    [Fact]
    public void LoadText_MalformedJson_OneErrorWithLine()
    {
        var result = Load("""
            {
              "mcpServers": {
                "a": { "command": "npx" }
                "b": { "command": "uvx" }
              }
            }
            """);

        result.Config.Should().BeNull();
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().BeEmpty();
        error.Line.Should().Be(4);
        error.Message.Should().StartWith("JSON is malformed:").And.Contain("Expected either ','").And.Contain("fix the syntax");
    }

    [Fact]
    public void LoadText_MalformedYaml_OneErrorWithLine()
    {
        var result = Load("""
            mcpServers:
              a:
                command: npx
               args: [x]
            """);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().BeEmpty();
        error.Line.Should().Be(4);
        error.Message.Should().StartWith("YAML is malformed at column").And.Contain("fix the syntax");
    }

    [Fact]
    public void LoadText_UnclosedFlowList_OneErrorWithLine()
    {
        // YamlDotNet's scanner reports this one without a position; the line must still be there.
        var result = Load("mcpServers:\n  a:\n    args: [1, 2\n    command: npx\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().BeEmpty();
        error.Line.Should().Be(4);
        error.Message.Should().Contain("unclosed bracket, brace or quote");
    }

    [Fact]
    public void LoadText_UnterminatedJsonString_OneErrorWithLine()
    {
        var result = Load("{\n  \"mcpServers\": {\n    \"a\": { \"command\": \"npx }\n  }\n}\n");

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Line.Should().Be(3);
        error.Message.Should().StartWith("JSON is malformed");
    }

    [Fact]
    public void LoadText_TwoYamlDocuments_ErrorSaysKeepOne()
    {
        var result = Load("mcpServers: {}\n---\ngateway: {}\n");

        result.Errors.Should().Equal(new ConfigDiagnostic(string.Empty, 2, "the file holds more than one YAML document (`---`); keep a single document"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadText_HugeNesting_OneErrorInsteadOfStackExhaustion(bool json)
    {
        const int depth = 100_000;
        var text = json
            ? "{ \"virtualServers\": " + new string('[', depth) + new string(']', depth) + " }"
            : "virtualServers: " + new string('[', depth) + new string(']', depth) + "\n";

        var result = Load(text);

        result.Config.Should().BeNull();
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Line.Should().Be(1);
        error.Message.Should().Contain(json ? "depth" : "nests deeper than 64 levels");
    }

    [Fact]
    public void LoadText_JsonCommentAfterBlockComment_KeepsLineNumbers()
    {
        var result = Load("{\n  /* one\n     two\n  */\n  \"mcpServers\": {\n    \"x\": { \"url\": \"https://a.example.com/mcp\", \"bogus\": 1, \"description\": \"keeps \\\" // and /* this */\" } // done\n  }\n}\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Equal(new ConfigDiagnostic("mcpServers.x.bogus", 6, "unknown key, ignored"));
        result.Config!.Servers[0].Url.Should().Be(new Uri("https://a.example.com/mcp"));
        result.Config.Servers[0].Description.Should().Be("keeps \" // and /* this */");
    }

    [Fact]
    public void LoadText_ByteOrderMark_IsIgnored()
    {
        var result = Load("\uFEFF{ \"mcpServers\": { \"a\": { \"command\": \"npx\" } } }");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers.Should().ContainSingle();
    }

    // ---- files ----

    [Fact]
    public void LoadFile_ExistingFile_LoadsWithPathAsSource()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mcp-gateway-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{ \"mcpServers\": { \"a\": { \"command\": \"${CMD}\" } } }");
        try
        {
            var result = GatewayConfigLoader.LoadFile(path, name => name == "CMD" ? "npx" : null);

            result.Errors.Should().BeEmpty();
            result.Config!.Source.Should().Be(path);
            result.Config.Servers[0].Command.Should().Be("npx");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_MissingFile_ErrorWithEmptyKeyNamesThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mcp-gateway-missing-{Guid.NewGuid():N}", "gateway.yaml");

        var result = GatewayConfigLoader.LoadFile(path);

        result.Config.Should().BeNull();
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Key.Should().BeEmpty();
        error.Line.Should().BeNull();
        error.Message.Should().Contain(path).And.Contain("does not exist").And.Contain("create it or pass the path");
    }

    [Fact]
    public void LoadFile_Directory_ErrorSaysItCannotBeRead()
    {
        var path = Directory.CreateTempSubdirectory("mcp-gateway-").FullName;
        try
        {
            var error = GatewayConfigLoader.LoadFile(path).Errors.Should().ContainSingle().Subject;

            error.Key.Should().BeEmpty();
            error.Message.Should().Contain("cannot read config file").And.Contain(path);
        }
        finally
        {
            Directory.Delete(path);
        }
    }

    // ---- diagnostics ----

    [Theory]
    [InlineData("mcpServers.x", 3, "mcpServers.x (line 3): fix it")]
    [InlineData("mcpServers", null, "mcpServers: fix it")]
    [InlineData("", 7, "line 7: fix it")]
    [InlineData("", null, "fix it")]
    public void ConfigDiagnosticToString_KeyAndLine_ReadsAsOneLine(string key, int? line, string expected)
    {
        new ConfigDiagnostic(key, line, "fix it").ToString().Should().Be(expected);
    }

    [Fact]
    public void LoadFile_ExampleConfigOfTheRepository_IsValid()
    {
        var path = Path.Combine(RepositoryRoot(), "examples", "gateway.yaml");

        var result = GatewayConfigLoader.LoadFile(path, _ => null);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        result.Config!.Servers.Should().NotBeEmpty();
    }

    // ---- helpers ----

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "McpGateway.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("McpGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
