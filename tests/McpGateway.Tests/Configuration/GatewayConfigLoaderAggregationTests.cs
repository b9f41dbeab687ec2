using System.Text.Json.Nodes;
using McpGateway.Configuration;
using static McpGateway.Tests.TestSupport.ConfigLoading;

namespace McpGateway.Tests.Configuration;

/// <summary>The config keys of aggregation: separator, page size, per-server filters and session mode, virtual servers.</summary>
public sealed class GatewayConfigLoaderAggregationTests
{
    // Line 1 mcpServers, 2 a, 3 b, 4 virtualServers, 5 v, 6 the first entry of v.
    private const string TwoServers = "mcpServers:\n  a: { command: npx }\n  b: { url: \"https://b.example.com/mcp\" }\n";

    // ---- the issue's example ----

    [Fact]
    public void LoadText_IssueExample_ReadsEveryValue()
    {
        var result = Load("""
            gateway:
              toolNameSeparator: "__"
              pageSize: 100
            mcpServers:
              github:
                url: https://api.example.com/mcp
                tools: { allow: ["get_*"], deny: ["delete_*"] }
                prompts: { allow: ["review_*"], deny: [] }
                resources: { allow: ["file:///shared/*"], deny: [] }
                sessionMode: perClient
              code-exec:
                command: npx
                sessions: shared
            virtualServers:
              code-review:
                description: Tools for reviewing pull requests
                servers: [github, code-exec]
                tools:   { allow: ["github__get_*", "github__list_*", "code-exec__*"], deny: ["*delete*"] }
                prompts: { allow: ["*"] }
                resources: { allow: ["file:///shared/*"] }
                naming: prefix
                onUpstreamFailure: serveLastKnown
                resourceConflicts: firstServer
                pageSize: 50
                overrides:
                  github__get_pull_request: { name: get_pr, title: "Get PR", description: "Fetch one pull request", annotations: { readOnlyHint: true }, hidden: false }
            """);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        var config = result.Config!;
        config.Gateway.ToolNameSeparator.Should().Be("__");
        config.Gateway.PageSize.Should().Be(100);

        var github = config.FindServer("github")!;
        github.Tools.Should().Be(new ItemFilter(["get_*"], ["delete_*"]));
        github.Prompts.Should().Be(new ItemFilter(["review_*"], []));
        github.Resources.Should().Be(new ItemFilter(["file:///shared/*"], []));
        github.Sessions.Should().Be(SessionMode.PerClient);
        config.FindServer("code-exec")!.Sessions.Should().Be(SessionMode.Shared);
        config.FindServer("code-exec")!.Tools.Should().BeSameAs(ItemFilter.All);

        var view = config.VirtualServers.Should().ContainSingle().Subject;
        config.FindVirtualServer("code-review").Should().BeSameAs(view);
        view.Name.Should().Be("code-review");
        view.Description.Should().Be("Tools for reviewing pull requests");
        view.Servers.Should().Equal("github", "code-exec");
        view.Tools.Should().Be(new ItemFilter(["github__get_*", "github__list_*", "code-exec__*"], ["*delete*"]));
        view.Prompts.Should().Be(new ItemFilter(["*"], []));
        view.Resources.Should().Be(new ItemFilter(["file:///shared/*"], []));
        view.Naming.Should().Be(NamingMode.Prefix);
        view.OnUpstreamFailure.Should().Be(UpstreamFailureMode.ServeLastKnown);
        view.ResourceConflicts.Should().Be(ResourceConflictMode.FirstServer);
        view.PageSize.Should().Be(50);
        var over = view.Overrides.Should().ContainSingle().Subject;
        over.Key.Should().Be("github__get_pull_request");
        over.Value.Should().BeEquivalentTo(new ItemOverride("get_pr", "Get PR", "Fetch one pull request", null, false), options => options.Excluding(o => o.Annotations));
        over.Value.Annotations!.ToJsonString().Should().Be("""{"readOnlyHint":true}""");
    }

    [Fact]
    public void LoadText_Json_ReadsVirtualServersLikeYaml()
    {
        var result = Load("""
            {
              "mcpServers": { "a": { "command": "npx", "tools": { "deny": ["x"] } } },
              "virtualServers": {
                "v": { "servers": ["a"], "naming": "none", "onUpstreamFailure": "omit", "resourceConflicts": "error",
                       "overrides": { "tool": { "hidden": true } } }
              }
            }
            """);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        result.Config!.Servers[0].Tools.Should().Be(new ItemFilter([], ["x"]));
        var view = result.Config.VirtualServers[0];
        view.Naming.Should().Be(NamingMode.None);
        view.OnUpstreamFailure.Should().Be(UpstreamFailureMode.Omit);
        view.ResourceConflicts.Should().Be(ResourceConflictMode.Error);
        view.Overrides["tool"].Should().Be(new ItemOverride(null, null, null, null, true));
    }

    // ---- defaults ----

    [Fact]
    public void LoadText_NoNewKeys_EverythingHasItsDefault()
    {
        var result = Load(TwoServers);

        result.Errors.Should().BeEmpty();
        var config = result.Config!;
        config.Gateway.ToolNameSeparator.Should().Be("__");
        config.Gateway.PageSize.Should().Be(100);
        config.VirtualServers.Should().BeEmpty();
        config.FindVirtualServer("v").Should().BeNull();
        config.Servers.Should().OnlyContain(s => s.Tools == ItemFilter.All && s.Prompts == ItemFilter.All && s.Resources == ItemFilter.All && s.Sessions == SessionMode.PerClient);
    }

    [Theory]
    [InlineData("  v:\n")]
    [InlineData("  v: {}\n")]
    [InlineData("  v: { servers: [] }\n")]
    public void LoadText_EmptyView_HasDefaultsAndEveryServer(string view)
    {
        var result = Load(TwoServers + "virtualServers:\n" + view);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        result.Config!.VirtualServers.Should().ContainSingle().Which.Should().BeEquivalentTo(new VirtualServerConfig { Name = "v" }, options => options.Excluding(v => v.Definition));
        var config = result.Config;
        var defaults = config.VirtualServers[0];
        defaults.Naming.Should().Be(NamingMode.Prefix);
        defaults.OnUpstreamFailure.Should().Be(UpstreamFailureMode.ServeLastKnown);
        defaults.ResourceConflicts.Should().Be(ResourceConflictMode.FirstServer);
        defaults.PageSize.Should().BeNull();
        defaults.Overrides.Should().BeEmpty();
        config.MembersOf(defaults).Select(s => s.Name).Should().Equal("a", "b");
    }

    [Fact]
    public void LoadText_EmptyVirtualServersSection_IsNoViews()
    {
        var result = Load(TwoServers + "virtualServers:\n");

        result.Errors.Should().BeEmpty();
        result.Config!.VirtualServers.Should().BeEmpty();
    }

    // ---- gateway: toolNameSeparator, pageSize ----

    [Theory]
    [InlineData("\"__\"", "__")]
    [InlineData(".", ".")]
    [InlineData("\"-\"", "-")]
    [InlineData("_x_", "_x_")]
    [InlineData("12345678", "12345678")]
    public void LoadText_GoodSeparator_IsRead(string written, string expected)
    {
        var result = Load($"gateway:\n  toolNameSeparator: {written}\nmcpServers:\n  srv: {{ command: npx }}\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Gateway.ToolNameSeparator.Should().Be(expected);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"::\"")]
    [InlineData("\"a b\"")]
    [InlineData("\"/\"")]
    [InlineData("123456789")]
    [InlineData("\"é\"")]
    public void LoadText_BadSeparator_ErrorNamesKeyLineAndAllowedCharacters(string written)
    {
        var error = SingleError(Load($"mcpServers:\n  srv: {{ command: npx }}\ngateway:\n  toolNameSeparator: {written}\n"));

        error.Key.Should().Be("gateway.toolNameSeparator");
        error.Line.Should().Be(4);
        error.Message.Should().Contain("write 1 to 8 of the characters tool names allow").And.Contain("e.g. `__`");
    }

    [Fact]
    public void LoadText_SeparatorNotAString_ErrorSaysWhatToWrite()
    {
        var error = SingleError(Load("gateway:\n  toolNameSeparator: [_]\n"));

        error.Key.Should().Be("gateway.toolNameSeparator");
        error.Line.Should().Be(2);
        error.Message.Should().Be("must be a separator such as __, not a list");
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("1000", 1000)]
    [InlineData("\"250\"", 250)]
    public void LoadText_GoodPageSize_IsRead(string written, int expected)
    {
        var result = Load($"gateway:\n  pageSize: {written}\nmcpServers:\n  a: {{ command: npx }}\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Gateway.PageSize.Should().Be(expected);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("-5")]
    [InlineData("2.5")]
    [InlineData("lots")]
    [InlineData("99999999999999999999")]
    public void LoadText_BadPageSize_ErrorGivesTheRange(string written)
    {
        var error = SingleError(Load($"gateway:\n  listen: http://127.0.0.1:8080\n  pageSize: {written}\n"));

        error.Key.Should().Be("gateway.pageSize");
        error.Line.Should().Be(3);
        error.Message.Should().Be($"`{written}` is not a page size; write a whole number of items from 1 to 1000, e.g. 100");
    }

    // ---- server names and the separator ----

    [Fact]
    public void LoadText_ServerNameWithConfiguredSeparator_ErrorNamesTheSeparatorSetting()
    {
        var error = SingleError(Load("gateway:\n  toolNameSeparator: \"-\"\nmcpServers:\n  code-exec: { command: npx }\n"));

        error.Key.Should().Be("mcpServers.code-exec");
        error.Line.Should().Be(4);
        error.Message.Should().Be("server name `code-exec` contains `-`, the separator between server and tool names (`gateway.toolNameSeparator`); rename the server so it does not contain `-`, or choose another `toolNameSeparator`");
    }

    [Fact]
    public void LoadText_SeparatorWrittenAfterServers_StillApplies()
    {
        var error = SingleError(Load("mcpServers:\n  a.b: { command: npx }\ngateway: { toolNameSeparator: . }\n"));

        error.Key.Should().Be("mcpServers.a.b");
        error.Line.Should().Be(2);
        error.Message.Should().Contain("contains `.`");
    }

    [Fact]
    public void LoadText_OtherSeparator_DoubleUnderscoreInServerNameIsFine()
    {
        var result = Load("gateway: { toolNameSeparator: . }\nmcpServers:\n  my__server: { command: npx }\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Name.Should().Be("my__server");
    }

    [Fact]
    public void LoadText_BadSeparator_ServerNamesAreNotCheckedAgainstAGuess()
    {
        var error = SingleError(Load("gateway: { toolNameSeparator: \"::\" }\nmcpServers:\n  my__server: { command: npx }\n"));

        error.Key.Should().Be("gateway.toolNameSeparator");
    }

    [Theory]
    [InlineData("__", "srv_", "_")]
    [InlineData("_x_", "srv_x", "_x")]
    [InlineData("_x_", "srv_", "_")]
    [InlineData("...", "srv..", "..")]
    public void LoadText_ServerNameEndingWithStartOfSeparator_ErrorSaysRemoveIt(string separator, string name, string tail)
    {
        var error = SingleError(Load($"gateway: {{ toolNameSeparator: \"{separator}\" }}\nmcpServers:\n  {name}: {{ command: npx }}\n"));

        error.Key.Should().Be($"mcpServers.{name}");
        error.Line.Should().Be(3);
        error.Message.Should().Contain($"ends with `{tail}`, the start of the separator `{separator}`").And.Contain($"remove the trailing `{tail}`");
    }

    [Theory]
    [InlineData("-", "srv_")]
    [InlineData("__", "srv-")]
    [InlineData("__", "s_rv")]
    [InlineData("_x_", "srv_y")]
    public void LoadText_ServerNameEndingWithOtherCharacter_IsAccepted(string separator, string name)
    {
        var result = Load($"gateway: {{ toolNameSeparator: \"{separator}\" }}\nmcpServers:\n  \"{name}\": {{ command: npx }}\n");

        result.Errors.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_ServerNameWithTrailingLineBreak_IsRejected()
    {
        var error = SingleError(Load("mcpServers:\n  \"a\\n\": { command: npx }\n"));

        error.Message.Should().Contain("is not allowed");
    }

    // ---- per-server filters and session mode ----

    [Fact]
    public void LoadText_ServerFilters_AreReadForStdioAndRemoteServers()
    {
        var result = Load("""
            mcpServers:
              local:
                command: npx
                tools: { allow: ["get_*", "list_*"] }
                prompts: { deny: ["debug_*"] }
              remote:
                url: https://r.example.com/mcp
                resources:
                  allow: ["file:///shared/*", "db://*"]
                  deny: ["*secret*"]
            """);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        var local = result.Config!.Servers[0];
        local.Tools.Allows("get_issue").Should().BeTrue();
        local.Tools.Allows("delete_issue").Should().BeFalse();
        local.Prompts.Should().Be(new ItemFilter([], ["debug_*"]));
        var remote = result.Config.Servers[1];
        remote.Resources.Allows("file:///shared/a.txt").Should().BeTrue();
        remote.Resources.Allows("db://secret-table").Should().BeFalse();
        remote.Resources.Allows("https://x").Should().BeFalse();
    }

    [Fact]
    public void LoadText_FilterWithNullLists_IsAllowAll()
    {
        var result = Load("mcpServers:\n  a:\n    command: npx\n    tools: { allow: , deny: ~ }\n    prompts:\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Tools.Should().BeSameAs(ItemFilter.All);
        result.Config.Servers[0].Prompts.Should().BeSameAs(ItemFilter.All);
    }

    [Theory]
    [InlineData("tools: [get_x]", "mcpServers.a.tools", 3, "must be a mapping with `allow` and/or `deny` lists of globs, e.g. `{ allow: [\"get_*\"], deny: [\"delete_*\"] }`, not a list; to list the names to expose, put the list under `allow:`")]
    [InlineData("prompts: everything", "mcpServers.a.prompts", 3, "must be a mapping with `allow` and/or `deny` lists of globs, e.g. `{ deny: [\"debug_*\"] }`, not a single value")]
    [InlineData("resources: \"file:///*\"", "mcpServers.a.resources", 3, "must be a mapping with `allow` and/or `deny` lists of globs, e.g. `{ allow: [\"file:///shared/*\"] }`, not a single value")]
    [InlineData("tools: { allow: \"get_*\" }", "mcpServers.a.tools.allow", 3, "must be a list of strings, e.g. [\"get_*\"], not a single value")]
    [InlineData("tools: { deny: { a: b } }", "mcpServers.a.tools.deny", 3, "must be a list of strings, e.g. [\"get_*\"], not a mapping")]
    [InlineData("tools: { allow: [ok, [nested]] }", "mcpServers.a.tools.allow[1]", 3, "must be a string, not a list")]
    [InlineData("tools: { allow: [ok, \"\"] }", "mcpServers.a.tools.allow[1]", 3, "is empty; write a glob such as `get_*` (`*` matches any run of characters, `?` one character)")]
    [InlineData("resources:\n      deny:\n        - \"\"", "mcpServers.a.resources.deny[0]", 5, "is empty; write a glob such as `file:///shared/*` (`*` matches any run of characters, `?` one character)")]
    [InlineData("tools: { allow: [\"${NOPE}\"] }", "mcpServers.a.tools.allow[0]", 3, "NOPE")]
    public void LoadText_BadServerFilter_ErrorNamesKeyLineAndFix(string entry, string key, int line, string message)
    {
        var error = SingleError(Load($"mcpServers:\n  a:\n    {entry}\n    command: npx\n"));

        error.Key.Should().Be(key);
        error.Line.Should().Be(line);
        error.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("tools: { include: [a] }", "mcpServers.a.tools.include", "unknown key, ignored; write `allow: [...]` (globs of names to expose)")]
    [InlineData("tools: { exclude: [a] }", "mcpServers.a.tools.exclude", "unknown key, ignored; write `deny: [...]` (globs of names to hide)")]
    [InlineData("prompts: { Allow: [a] }", "mcpServers.a.prompts.Allow", "unknown key, ignored; did you mean `allow`?")]
    [InlineData("Tools: { allow: [a] }", "mcpServers.a.Tools", "unknown key, ignored; did you mean `tools`?")]
    [InlineData("sessionmode: shared", "mcpServers.a.sessionmode", "unknown key, ignored; did you mean `sessionMode`?")]
    [InlineData("tools: { allow: [] }", "mcpServers.a.tools.allow", "an empty `allow` list allows everything; to expose nothing write `deny: [\"*\"]`, or remove the key")]
    public void LoadText_FilterOddities_WarnWithPathAndLine(string entry, string key, string message)
    {
        var result = Load($"mcpServers:\n  a:\n    command: npx\n    {entry}\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Equal(new ConfigDiagnostic(key, 4, message));
    }

    [Fact]
    public void LoadText_DenyEverythingOnServer_IsAccepted()
    {
        var result = Load("mcpServers:\n  a:\n    command: npx\n    prompts: { deny: [\"*\"] }\n");

        result.Errors.Should().BeEmpty();
        result.Config!.Servers[0].Prompts.Allows("anything").Should().BeFalse();
    }

    [Theory]
    [InlineData("sessionMode: perClient", SessionMode.PerClient)]
    [InlineData("sessionMode: PerClient", SessionMode.PerClient)]
    [InlineData("sessionMode: per-client", SessionMode.PerClient)]
    [InlineData("sessionMode: shared", SessionMode.Shared)]
    [InlineData("sessions: shared", SessionMode.Shared)]
    [InlineData("sessions: perClient", SessionMode.PerClient)]
    [InlineData("sessions: per-client", SessionMode.PerClient)]
    [InlineData("sessionMode: shared\n    sessions: shared", SessionMode.Shared)]
    [InlineData("sessionMode:", SessionMode.PerClient)]
    public void LoadText_SessionMode_IsReadFromEitherKey(string entries, SessionMode expected)
    {
        var result = Load($"mcpServers:\n  a:\n    command: npx\n    {entries}\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        result.Config!.Servers[0].Sessions.Should().Be(expected);
    }

    [Fact]
    public void LoadText_SessionModeAndSessionsDisagree_ErrorSaysKeepSessionMode()
    {
        var error = SingleError(Load("mcpServers:\n  a:\n    command: npx\n    sessions: per-client\n    sessionMode: shared\n"));

        error.Key.Should().Be("mcpServers.a.sessionMode");
        error.Line.Should().Be(5);
        error.Message.Should().Be("`sessionMode: shared` disagrees with `sessions: per-client` (line 4); keep only `sessionMode`");
    }

    [Fact]
    public void LoadText_BadSessionModeAndGoodAlias_OnlyTheBadValueIsReported()
    {
        var error = SingleError(Load("mcpServers:\n  a:\n    command: npx\n    sessionMode: sometimes\n    sessions: shared\n"));

        error.Key.Should().Be("mcpServers.a.sessionMode");
        error.Message.Should().Be("`sometimes` is not accepted; write one of perClient or shared");
    }

    // ---- virtual servers: errors ----

    [Theory]
    [InlineData("description: [x]", "virtualServers.v.description", "must be a string, not a list")]
    [InlineData("servers: a", "virtualServers.v.servers", "must be a list of strings, e.g. [github, code-exec], not a single value")]
    [InlineData("servers: [a, nope]", "virtualServers.v.servers[1]", "`nope` is not a server in `mcpServers`; write one of a, b")]
    [InlineData("servers: [A]", "virtualServers.v.servers[0]", "`A` is not a server in `mcpServers`; did you mean `a`? (names are case-sensitive)")]
    [InlineData("servers: [a, b, a]", "virtualServers.v.servers[2]", "`a` is listed twice; list each server once (the order decides which server owns a duplicated resource URI)")]
    [InlineData("servers: [a, { b: c }]", "virtualServers.v.servers[1]", "must be a string, not a mapping")]
    [InlineData("tools: [a__x]", "virtualServers.v.tools", "must be a mapping with `allow` and/or `deny` lists of globs, e.g. `{ allow: [\"github__get_*\"], deny: [\"*delete*\"] }`, not a list; to list the names to expose, put the list under `allow:`")]
    [InlineData("prompts: all", "virtualServers.v.prompts", "e.g. `{ allow: [\"*\"] }`, not a single value")]
    [InlineData("resources: { allow: [\"\"] }", "virtualServers.v.resources.allow[0]", "is empty; write a glob such as `file:///shared/*`")]
    [InlineData("naming: short", "virtualServers.v.naming", "`short` is not accepted; write one of prefix or none")]
    [InlineData("naming: [prefix]", "virtualServers.v.naming", "must be one of prefix or none, not a list")]
    [InlineData("onUpstreamFailure: retry", "virtualServers.v.onUpstreamFailure", "`retry` is not accepted; write one of serveLastKnown, omit or fail")]
    [InlineData("resourceConflicts: merge", "virtualServers.v.resourceConflicts", "`merge` is not accepted; write one of firstServer or error")]
    [InlineData("pageSize: 0", "virtualServers.v.pageSize", "`0` is not a page size; write a whole number of items from 1 to 1000, e.g. 100")]
    [InlineData("pageSize: 5000", "virtualServers.v.pageSize", "`5000` is not a page size; write a whole number of items from 1 to 1000, e.g. 100")]
    [InlineData("overrides: [a__x]", "virtualServers.v.overrides", "must be a mapping from exposed name to changes, e.g. `{ github__get_pull_request: { name: get_pr } }`, not a list")]
    [InlineData("overrides: { a__x: get_x }", "virtualServers.v.overrides.a__x", "must be a mapping of changes, e.g. `{ name: get_pr, description: \"Fetch one pull request\" }`, not a single value")]
    [InlineData("overrides: { \"\": { hidden: true } }", "virtualServers.v.overrides.", "an override needs the exposed name of a tool or prompt as its key")]
    [InlineData("overrides: { a__x: { name: \"get pr\" } }", "virtualServers.v.overrides.a__x.name", "`get pr` is not a valid tool or prompt name; use 1 to 128 letters, digits, `_`, `.` or `-` (pattern ^[A-Za-z0-9_.-]{1,128}$), e.g. get_pr")]
    [InlineData("overrides: { a__x: { name: \"\" } }", "virtualServers.v.overrides.a__x.name", "is not a valid tool or prompt name")]
    [InlineData("overrides: { a__x: { name: [a] } }", "virtualServers.v.overrides.a__x.name", "must be a tool or prompt name, not a list")]
    [InlineData("overrides: { a__x: { title: { a: b } } }", "virtualServers.v.overrides.a__x.title", "must be a string, not a mapping")]
    [InlineData("overrides: { a__x: { description: [a] } }", "virtualServers.v.overrides.a__x.description", "must be a string, not a list")]
    [InlineData("overrides: { a__x: { hidden: maybe } }", "virtualServers.v.overrides.a__x.hidden", "`maybe` is not a boolean; write true or false")]
    [InlineData("overrides: { a__x: { annotations: [readOnlyHint] } }", "virtualServers.v.overrides.a__x.annotations", "must be a mapping of tool annotations, e.g. `{ readOnlyHint: true }`, not a list")]
    [InlineData("overrides: { a__x: { annotations: { readOnlyHint: yes } } }", "virtualServers.v.overrides.a__x.annotations.readOnlyHint", "`yes` is not a boolean; write true or false")]
    [InlineData("overrides: { a__x: { annotations: { destructiveHint: [true] } } }", "virtualServers.v.overrides.a__x.annotations.destructiveHint", "must be true or false, not a list")]
    [InlineData("overrides: { a__x: { annotations: { title: [x] } } }", "virtualServers.v.overrides.a__x.annotations.title", "must be a string, not a list")]
    [InlineData("overrides: { a__x: { annotations: { x-custom: \"${NOPE}\" } } }", "virtualServers.v.overrides.a__x.annotations.x-custom", "NOPE")]
    public void LoadText_BadViewValue_ErrorNamesKeyLineAndFix(string entry, string key, string message)
    {
        var error = SingleError(Load(View(entry)));

        error.Key.Should().Be(key);
        error.Line.Should().Be(6);
        error.Message.Should().Contain(message);
    }

    [Fact]
    public void LoadText_OverrideNameTooLong_ErrorGivesThePattern()
    {
        var error = SingleError(Load(View($"overrides:\n      a__x:\n        name: {new string('n', 129)}")));

        error.Key.Should().Be("virtualServers.v.overrides.a__x.name");
        error.Line.Should().Be(8);
        error.Message.Should().Contain("^[A-Za-z0-9_.-]{1,128}$");
    }

    [Fact]
    public void LoadText_TwoOverridesWithTheSameNewName_ErrorPointsAtTheFirst()
    {
        var error = SingleError(Load(View("""
            overrides:
                  a__get_pull_request: { name: get_pr }
                  b__get_pull_request:
                    name: get_pr
            """)));

        error.Key.Should().Be("virtualServers.v.overrides.b__get_pull_request.name");
        error.Line.Should().Be(9);
        error.Message.Should().Be("`get_pr` is already the new name in `virtualServers.v.overrides.a__get_pull_request.name` (line 7); give each override its own name");
    }

    [Theory]
    [InlineData("my view")]
    [InlineData("-review")]
    [InlineData("a/b")]
    [InlineData("v\\n")]
    public void LoadText_BadViewName_ErrorGivesThePatternAndTheUrl(string name)
    {
        var error = SingleError(Load(TwoServers + $"virtualServers:\n  \"{name}\":\n    servers: [a]\n"));

        error.Key.Should().Be($"virtualServers.{name.Replace("\\n", "\n", StringComparison.Ordinal)}");
        error.Line.Should().Be(5);
        error.Message.Should().Contain("virtual server name").And.Contain("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$").And.Contain("/virtual/{name}/mcp");
    }

    [Theory]
    [InlineData("default")]
    [InlineData("a")]
    [InlineData("Code-Review.v2")]
    public void LoadText_AnyValidViewName_IsAccepted(string name)
    {
        var result = Load(TwoServers + $"virtualServers:\n  {name}:\n    servers: [b]\n");

        result.Errors.Should().BeEmpty();
        result.Config!.FindVirtualServer(name)!.Servers.Should().Equal("b");
    }

    [Fact]
    public void LoadText_VirtualServersNotAMapping_ErrorShowsExample()
    {
        var error = SingleError(Load(TwoServers + "virtualServers:\n  - servers: [a]\n"));

        error.Key.Should().Be("virtualServers");
        error.Line.Should().Be(5);
        error.Message.Should().Contain("mapping from view name to its settings").And.Contain("code-review: { servers: [github] }");
    }

    [Fact]
    public void LoadText_ViewNotAMapping_ErrorShowsExample()
    {
        var error = SingleError(Load(TwoServers + "virtualServers:\n  v: [a, b]\n"));

        error.Key.Should().Be("virtualServers.v");
        error.Line.Should().Be(5);
        error.Message.Should().Contain("must be a mapping of view settings").And.Contain("servers: [github]").And.EndWith("not a list");
    }

    [Fact]
    public void LoadText_ViewOfServerWithErrors_OnlyTheServerErrorIsReported()
    {
        var error = SingleError(Load("mcpServers:\n  a: { args: [x] }\nvirtualServers:\n  v: { servers: [a] }\n"));

        error.Key.Should().Be("mcpServers.a");
    }

    [Fact]
    public void LoadText_ViewWithoutAnyServersSection_ErrorSaysToAddTheServer()
    {
        var error = SingleError(Load("virtualServers:\n  v: { servers: [a] }\n"));

        error.Key.Should().Be("virtualServers.v.servers[0]");
        error.Message.Should().Be("`a` is not a server in `mcpServers`; add the server under `mcpServers:` first");
    }

    [Fact]
    public void LoadText_ViewListsUnknownServerAmongMany_HintListsTheFirstTen()
    {
        var servers = string.Concat(Enumerable.Range(0, 12).Select(i => $"  s{i}: {{ command: npx }}\n"));

        var error = SingleError(Load($"mcpServers:\n{servers}virtualServers:\n  v: {{ servers: [zzz] }}\n"));

        error.Message.Should().Be("`zzz` is not a server in `mcpServers`; write one of the names under `mcpServers:` (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, ...)");
    }

    [Fact]
    public void LoadText_ManyViewProblems_AreAllCollectedInFileOrder()
    {
        var result = Load("""
            virtualServers:
              v1:
                servers: [x]
                naming: maybe
              "bad name":
                pageSize: -1
            mcpServers:
              a: { command: npx }
            """);

        result.Config.Should().BeNull();
        result.Errors.Select(e => (e.Key, e.Line)).Should().Equal(
            ("virtualServers.v1.servers[0]", 3),
            ("virtualServers.v1.naming", 4),
            ("virtualServers.bad name", 5),
            ("virtualServers.bad name.pageSize", 6));
    }

    // ---- virtual servers: warnings ----

    [Theory]
    [InlineData("Naming: none", "virtualServers.v.Naming", "unknown key, ignored; did you mean `naming`?")]
    [InlineData("tool: { allow: [a__x] }", "virtualServers.v.tool", "unknown key, ignored")]
    [InlineData("overrides: { a__x: { rename: y } }", "virtualServers.v.overrides.a__x.rename", "unknown key, ignored")]
    [InlineData("overrides: { a__x: }", "virtualServers.v.overrides.a__x", "changes nothing; set `name`, `title`, `description`, `annotations` or `hidden`, or remove the entry")]
    [InlineData("overrides: { a__x: { annotations: { ReadOnlyHint: true } } }", "virtualServers.v.overrides.a__x.annotations.ReadOnlyHint", "not a known annotation, kept as written; did you mean `readOnlyHint`?")]
    [InlineData("tools: { allow: [] }", "virtualServers.v.tools.allow", "an empty `allow` list allows everything; to expose nothing write `deny: [\"*\"]`, or remove the key")]
    public void LoadText_ViewOddity_WarnsWithPathAndLine(string entry, string key, string message)
    {
        var result = Load(View(entry));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Equal(new ConfigDiagnostic(key, 6, message));
    }

    [Fact]
    public void LoadText_NamingNoneWithSeveralMembers_WarnsThatNamesMustBeUnique()
    {
        var result = Load(View("servers: [a, b]\n    naming: none"));

        result.Errors.Should().BeEmpty();
        var warning = result.Warnings.Should().ContainSingle().Subject;
        warning.Key.Should().Be("virtualServers.v.naming");
        warning.Line.Should().Be(7);
        warning.Message.Should().Contain("names must be unique across members").And.Contain("use `naming: prefix`");
        result.Config!.VirtualServers[0].Naming.Should().Be(NamingMode.None);
    }

    [Fact]
    public void LoadText_NamingNoneWithoutServersList_CountsEnabledServers()
    {
        Load(View("naming: none")).Warnings.Should().ContainSingle().Which.Message.Should().Contain("the 2 member servers'");

        var oneEnabled = Load("mcpServers:\n  a: { command: npx }\n  b: { command: npx, enabled: false }\nvirtualServers:\n  v: { naming: none }\n");
        oneEnabled.Errors.Should().BeEmpty();
        oneEnabled.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_NamingNoneWithOneServer_IsQuiet()
    {
        var result = Load(View("servers: [b]\n    naming: none\n    tools: { allow: [get_*] }\n    overrides: { get_x: { name: fetch_x } }"));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
    }

    [Theory]
    [InlineData("get_*", "`get_*` matches no name this view exposes: with `naming: prefix` every name starts with a member server's name and `__`; write e.g. `a__get_*`, or start the glob with `*`")]
    [InlineData("delete_issue", "`delete_issue` matches no name this view exposes")]
    [InlineData("a_x*", "`a_x*` matches no name this view exposes")]
    [InlineData("a__", "`a__` matches no name this view exposes")]
    [InlineData("c__*", "`c__*` matches no name this view exposes")]
    public void LoadText_ViewGlobWithoutMemberPrefix_Warns(string glob, string message)
    {
        var result = Load(View($"tools: {{ deny: [\"*delete*\", \"{glob}\"] }}"));

        result.Errors.Should().BeEmpty();
        var warning = result.Warnings.Should().ContainSingle().Subject;
        warning.Key.Should().Be("virtualServers.v.tools.deny[1]");
        warning.Line.Should().Be(6);
        warning.Message.Should().StartWith(message);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*delete*")]
    [InlineData("a*")]
    [InlineData("a_*")]
    [InlineData("?__x")]
    [InlineData("a__*")]
    [InlineData("b__get_issue")]
    [InlineData("b__get_?ssue")]
    public void LoadText_ViewGlobThatCanMatch_IsQuiet(string glob)
    {
        var result = Load(View($"prompts: {{ allow: [\"{glob}\"] }}"));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_ViewGlobOfServerOutsideTheView_Warns()
    {
        var result = Load(View("servers: [a]\n    tools: { allow: [\"b__*\"] }"));

        result.Warnings.Should().ContainSingle().Which.Key.Should().Be("virtualServers.v.tools.allow[0]");
    }

    [Fact]
    public void LoadText_ViewGlobOfDisabledServer_IsQuietWhenTheViewListsNoServers()
    {
        var result = Load("mcpServers:\n  a: { command: npx }\n  off: { command: npx, enabled: false }\nvirtualServers:\n  v: { tools: { allow: [\"off__*\"] } }\n");

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_ResourceGlobs_AreNotCheckedForPrefixes()
    {
        var result = Load(View("resources: { allow: [\"file:///shared/*\"], deny: [\"db://x\"] }"));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void LoadText_CustomSeparator_IsUsedForPrefixChecks()
    {
        var result = Load("gateway: { toolNameSeparator: . }\n" + TwoServers + "virtualServers:\n  v:\n    tools: { allow: [\"a.get_*\", \"a__get_*\"] }\n");

        result.Errors.Should().BeEmpty();
        var warning = result.Warnings.Should().ContainSingle().Subject;
        warning.Key.Should().Be("virtualServers.v.tools.allow[1]");
        warning.Message.Should().Contain("a member server's name and `.`").And.Contain("e.g. `a.a__get_*`");
    }

    [Fact]
    public void LoadText_OverrideKeyWithoutMemberPrefix_WarnsItNeverApplies()
    {
        var result = Load(View("servers: [b, a]\n    overrides:\n      get_pull_request: { name: get_pr }\n      \"b__get issue\": { hidden: true }\n      b__ok: { hidden: true }"));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Equal(
            new ConfigDiagnostic("virtualServers.v.overrides.get_pull_request", 8, "`get_pull_request` is not a name this view exposes, so the override never applies: with `naming: prefix` every name starts with a member server's name and `__`, e.g. `b__get_pull_request`"),
            new ConfigDiagnostic("virtualServers.v.overrides.b__get issue", 9, "`b__get issue` is not a name this view exposes, so the override never applies: with `naming: prefix` names are at most 128 letters, digits, `_`, `.` and `-` (other characters become `_` and a hash is appended); copy the exposed name from the view's tools/list or prompts/list"));
        result.Config!.VirtualServers[0].Overrides.Keys.Should().BeEquivalentTo("get_pull_request", "b__get issue", "b__ok");
    }

    [Fact]
    public void LoadText_OverrideOfFilteredName_WarnsItNeverApplies()
    {
        var result = Load(View("tools: { deny: [\"*delete*\"] }\n    prompts: { allow: [\"a__review\"] }\n    overrides:\n      a__delete_repo: { title: Delete }\n      a__review: { title: Review }"));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Equal(new ConfigDiagnostic(
            "virtualServers.v.overrides.a__delete_repo",
            9,
            "the view's `tools` and `prompts` filters hide `a__delete_repo`, so the override never applies; allow the name, or remove the override"));
    }

    // ---- virtual servers: values ----

    [Theory]
    [InlineData("naming: NONE\n    servers: [a]", NamingMode.None, UpstreamFailureMode.ServeLastKnown, ResourceConflictMode.FirstServer)]
    [InlineData("onUpstreamFailure: serve-last-known", NamingMode.Prefix, UpstreamFailureMode.ServeLastKnown, ResourceConflictMode.FirstServer)]
    [InlineData("onUpstreamFailure: Omit", NamingMode.Prefix, UpstreamFailureMode.Omit, ResourceConflictMode.FirstServer)]
    [InlineData("onUpstreamFailure: fail", NamingMode.Prefix, UpstreamFailureMode.Fail, ResourceConflictMode.FirstServer)]
    [InlineData("resourceConflicts: error", NamingMode.Prefix, UpstreamFailureMode.ServeLastKnown, ResourceConflictMode.Error)]
    [InlineData("resourceConflicts: first-server", NamingMode.Prefix, UpstreamFailureMode.ServeLastKnown, ResourceConflictMode.FirstServer)]
    public void LoadText_ViewChoices_AcceptCamelAndKebabCaseIgnoringCase(string entries, NamingMode naming, UpstreamFailureMode failure, ResourceConflictMode conflicts)
    {
        var result = Load(View(entries));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        var view = result.Config!.VirtualServers[0];
        (view.Naming, view.OnUpstreamFailure, view.ResourceConflicts).Should().Be((naming, failure, conflicts));
    }

    [Fact]
    public void LoadText_Annotations_KeepJsonTypes()
    {
        var result = Load(View("""
            overrides:
                  a__x:
                    annotations:
                      readOnlyHint: true
                      destructiveHint: False
                      title: 42
                      x-count: 3
                      x-ratio: 0.5
                      x-quoted: "true"
                      x-text: plain words
                      x-null: null
                      x-list: [1, a, { k: v }]
                      x-map: { nested: { deep: -7 } }
            """));

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().BeEmpty();
        result.Config!.VirtualServers[0].Overrides["a__x"].Annotations!.ToJsonString().Should().Be(
            """{"readOnlyHint":true,"destructiveHint":false,"title":"42","x-count":3,"x-ratio":0.5,"x-quoted":"true","x-text":"plain words","x-null":null,"x-list":[1,"a",{"k":"v"}],"x-map":{"nested":{"deep":-7}}}""");
    }

    [Fact]
    public void LoadText_OverrideValues_ExpandEnvironmentReferences()
    {
        var result = Load(
            View("overrides:\n      a__x: { name: \"${NAME}\", description: \"for ${TEAM}\", annotations: { readOnlyHint: \"${RO}\", x-team: \"${TEAM}\" } }"),
            ("NAME", "fetch"), ("TEAM", "blue"), ("RO", "true"));

        result.Errors.Should().BeEmpty();
        var over = result.Config!.VirtualServers[0].Overrides["a__x"];
        over.Name.Should().Be("fetch");
        over.Description.Should().Be("for blue");
        over.Annotations!.ToJsonString().Should().Be("""{"readOnlyHint":true,"x-team":"blue"}""");
    }

    [Fact]
    public void LoadText_OverrideFields_AllRead()
    {
        var result = Load(View("overrides:\n      a__x: { name: a.x-1, title: T, description: D, hidden: true }\n      a__y: { hidden: false, title: \"\" }"));

        result.Errors.Should().BeEmpty();
        var overrides = result.Config!.VirtualServers[0].Overrides;
        overrides["a__x"].Should().Be(new ItemOverride("a.x-1", "T", "D", null, true));
        overrides["a__y"].Should().Be(new ItemOverride(null, string.Empty, null, null, false));
    }

    [Fact]
    public void MembersOf_ListedServers_FollowListOrderAndSkipDisabled()
    {
        var result = Load("""
            mcpServers:
              a: { command: npx }
              b: { command: npx, enabled: false }
              c: { command: npx }
            virtualServers:
              v: { servers: [c, b, a] }
              all: {}
            """);

        result.Errors.Should().BeEmpty();
        result.Warnings.Should().Equal(new ConfigDiagnostic("virtualServers.v.servers[1]", 6, "server `b` is disabled (`enabled: false`), so this view leaves it out until it is enabled"));
        var config = result.Config!;
        config.VirtualServers.Select(v => v.Name).Should().Equal("v", "all");
        config.MembersOf(config.FindVirtualServer("v")!).Select(s => s.Name).Should().Equal("c", "a");
        config.MembersOf(config.FindVirtualServer("all")!).Select(s => s.Name).Should().Equal("a", "c");
    }

    [Fact]
    public void LoadText_VirtualServersBeforeMcpServers_IsReadAfterThem()
    {
        var result = Load("virtualServers:\n  v: { servers: [a] }\nmcpServers:\n  a: { command: npx }\n");

        result.Errors.Should().BeEmpty();
        result.Config!.VirtualServers[0].Servers.Should().Equal("a");
    }

    [Fact]
    public void FindVirtualServer_IsCaseSensitive()
    {
        var config = Load(View("servers: [a]")).Config!;

        config.FindVirtualServer("v").Should().NotBeNull();
        config.FindVirtualServer("V").Should().BeNull();
    }

    // ---- helpers ----

    /// <summary><see cref="TwoServers"/> and a view <c>v</c> whose first entry is on line 6; later lines of <paramref name="entries"/> need their own 4-space indent.</summary>
    private static string View(string entries) => TwoServers + "virtualServers:\n  v:\n    " + entries + "\n";
}
