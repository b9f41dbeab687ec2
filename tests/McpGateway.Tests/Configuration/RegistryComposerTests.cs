using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;

namespace McpGateway.Tests.Configuration;

public sealed class RegistryComposerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private static GatewayConfig File(string yaml = """
        mcpServers:
          files: { command: node, args: [files.js] }
        """) => ConfigLoading.Load(yaml).Config!;

    private static RegistryEntry Entry(string name, string definition) => new(name, definition, Now, Now);

    private static RegistryContents Stored(RegistryEntry[] servers, params RegistryEntry[] views) => new(servers, views);

    [Fact]
    public void Compose_ValidStoredServer_RunsAfterTheFileServersWithItsDefinitionAsWritten()
    {
        var composition = RegistryComposer.Compose(File(), Stored([Entry("remote", """{"url":"https://mcp.example.com/mcp","headers":{"Authorization":"Bearer ${TOKEN}"},"tags":["search"]}""")]),
            name => name == "TOKEN" ? "secret-value" : null);

        composition.SetAside.Should().BeEmpty();
        composition.Config.Servers.Select(server => (server.Name, server.Origin)).Should().Equal(("files", EntryOrigin.File), ("remote", EntryOrigin.Registry));
        var remote = composition.Config.FindServer("remote")!;
        remote.Headers["Authorization"].Should().Be("Bearer secret-value", "stored entries expand ${VAR} like the file");
        remote.Definition!["headers"]!["Authorization"]!.GetValue<string>().Should().Be("Bearer ${TOKEN}", "the definition keeps the reference, never the secret");
        remote.Tags.Should().Equal("search");
    }

    [Fact]
    public void Compose_StoredServerNamedLikeAFileServer_IsSetAsideAndTheFileEntryRuns()
    {
        var composition = RegistryComposer.Compose(File(), Stored([Entry("files", """{"command":"other"}""")]));

        composition.Config.FindServer("files")!.Command.Should().Be("node");
        var setAside = composition.SetAside.Should().ContainSingle().Subject;
        setAside.Should().Match<SetAsideEntry>(entry => entry.Kind == RegistryEntryKind.Server && entry.Name == "files");
        setAside.Errors.Should().ContainSingle().Which.Message.Should().Contain("defined in the config file");
    }

    [Fact]
    public void Compose_InvalidStoredServer_IsSetAsideWithFieldErrorsWithoutLineNumbers()
    {
        var composition = RegistryComposer.Compose(File(), Stored([Entry("bad", """{"url":"not a url"}"""), Entry("good", """{"command":"uvx"}""")]));

        composition.Config.Servers.Select(server => server.Name).Should().Equal("files", "good");
        var error = composition.SetAside.Should().ContainSingle().Subject.Errors.Should().ContainSingle().Subject;
        error.Key.Should().Be("mcpServers.bad.url");
        error.Line.Should().BeNull("a line inside the stored JSON would be mistaken for a line of the config file");
    }

    [Fact]
    public void Compose_StoredViewOverASetAsideServer_IsSetAsideToo()
    {
        var composition = RegistryComposer.Compose(File(), Stored(
            [Entry("bad", """{"command":""}""")],
            Entry("review", """{"servers":["bad","files"]}"""),
            Entry("all", """{"servers":["files"]}""")));

        composition.SetAside.Select(entry => (entry.Kind, entry.Name)).Should().BeEquivalentTo([(RegistryEntryKind.Server, "bad"), (RegistryEntryKind.VirtualServer, "review")]);
        composition.Config.VirtualServers.Select(view => view.Name).Should().Equal("all");
    }

    [Fact]
    public void Compose_StoredServerNameWithTheFilesSeparator_IsSetAside()
    {
        var file = File("""
            gateway: { toolNameSeparator: "-" }
            mcpServers:
              files: { command: node }
            """);

        var composition = RegistryComposer.Compose(file, Stored([Entry("my-server", """{"command":"uvx"}""")]));

        composition.SetAside.Should().ContainSingle().Which.Errors[0].Message.Should().Contain("separator");
    }

    [Fact]
    public void Compose_StoredViewOverFileAndStoredServers_AggregatesBothInItsOrder()
    {
        var composition = RegistryComposer.Compose(File(), Stored(
            [Entry("remote", """{"url":"https://mcp.example.com/mcp"}""")],
            Entry("review", """{"servers":["remote","files"],"tools":{"allow":["remote__*"]}}""")));

        var view = composition.Config.FindVirtualServer("review")!;
        view.Origin.Should().Be(EntryOrigin.Registry);
        composition.Config.MembersOf(view).Select(server => server.Name).Should().Equal("remote", "files");
        view.Tools.Allows("remote__search").Should().BeTrue();
        view.Tools.Allows("files__read").Should().BeFalse();
    }

    [Fact]
    public void Compose_DefinitionThatIsNotAnObject_IsSetAside()
    {
        var composition = RegistryComposer.Compose(File(), Stored([Entry("broken", "[1, 2]")]));

        composition.SetAside.Should().ContainSingle().Which.Name.Should().Be("broken");
        composition.Config.Servers.Should().ContainSingle();
    }
}
