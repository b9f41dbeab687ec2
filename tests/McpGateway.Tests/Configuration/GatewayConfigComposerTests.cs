using McpGateway.Configuration;
using McpGateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpGateway.Tests.Configuration;

public sealed class GatewayConfigComposerTests
{
    private const string FileText = """
        mcpServers:
          files: { command: node, args: [files.js] }
        """;

    private readonly GatewayConfigProvider _provider = new(ConfigLoading.Load(FileText).Config!);
    private readonly List<RegistryChanges> _saved = [];
    private readonly GatewayConfigComposer _composer;

    public GatewayConfigComposerTests()
    {
        _composer = new GatewayConfigComposer(_provider, new ConfigReloadState(), TimeProvider.System, NullLoggerFactory.Instance);
    }

    private Task Save(RegistryChanges changes, CancellationToken cancellationToken)
    {
        _saved.Add(changes);
        return Task.CompletedTask;
    }

    private static RegistryProposal Add(RegistryEditContext context, string name, string definition) =>
        RegistryProposal.To(context.Stored with { Servers = [.. context.Stored.Servers, new RegistryEntry(name, definition, context.Now, context.Now)] });

    [Fact]
    public async Task EditAsync_ValidServer_IsSavedThenRunsAndRaisesChanged()
    {
        GatewayConfig? announced = null;
        _provider.Changed += config => announced = config;

        var problem = await _composer.EditAsync(context => Add(context, "remote", """{"url":"https://mcp.example.com/mcp"}"""), Save, CancellationToken.None);

        problem.Should().BeNull();
        _saved.Should().ContainSingle().Which.UpsertServers.Should().ContainSingle().Which.Name.Should().Be("remote");
        _provider.Current.FindServer("remote").Should().NotBeNull();
        announced.Should().BeSameAs(_provider.Current);
        _composer.Stored.Servers.Should().ContainSingle();
    }

    [Fact]
    public async Task EditAsync_InvalidServer_IsRefusedWithItsFieldsAndNothingIsSavedOrRun()
    {
        var before = _provider.Current;

        var problem = await _composer.EditAsync(context => Add(context, "remote", """{"url":"ftp://nowhere"}"""), Save, CancellationToken.None);

        problem!.Kind.Should().Be(RegistryProblemKind.Invalid);
        problem.Errors.Should().ContainSingle().Which.Key.Should().Be("mcpServers.remote.url");
        _saved.Should().BeEmpty();
        _provider.Current.Should().BeSameAs(before);
        _composer.Stored.Servers.Should().BeEmpty();
    }

    [Fact]
    public async Task EditAsync_SaveFails_LeavesTheRunningConfigAndStoreStateAsTheyWere()
    {
        var before = _provider.Current;

        var act = () => _composer.EditAsync(context => Add(context, "remote", """{"url":"https://mcp.example.com/mcp"}"""),
            (_, _) => throw new IOException("disk full"), CancellationToken.None);

        await act.Should().ThrowAsync<IOException>();
        _provider.Current.Should().BeSameAs(before);
        _composer.Stored.Servers.Should().BeEmpty();
    }

    [Fact]
    public async Task EditAsync_RefusedProposal_ReturnsItsProblemWithoutSaving()
    {
        var problem = await _composer.EditAsync(_ => RegistryProposal.Refuse(RegistryProblem.NotFound("no such server")), Save, CancellationToken.None);

        problem!.Kind.Should().Be(RegistryProblemKind.NotFound);
        _saved.Should().BeEmpty();
    }

    [Fact]
    public async Task ReplaceFileAsync_FileTakesAStoredName_SetsTheStoredEntryAsideAndRestoresItWhenTheFileDropsIt()
    {
        await _composer.EditAsync(context => Add(context, "remote", """{"url":"https://stored.example.com/mcp"}"""), Save, CancellationToken.None);

        var clash = ConfigLoading.Load(FileText + "\n  remote: { url: \"https://file.example.com/mcp\" }\n").Config!;
        await _composer.ReplaceFileAsync(clash, "hash-1", "test.yaml", CancellationToken.None);

        _provider.Current.FindServer("remote")!.Url!.Host.Should().Be("file.example.com");
        _composer.Composition.FindSetAside(RegistryEntryKind.Server, "remote").Should().NotBeNull();
        _composer.Stored.Servers.Should().ContainSingle("a set-aside entry stays stored");

        await _composer.ReplaceFileAsync(ConfigLoading.Load(FileText).Config!, "hash-2", "test.yaml", CancellationToken.None);

        _provider.Current.FindServer("remote")!.Url!.Host.Should().Be("stored.example.com");
        _composer.Composition.SetAside.Should().BeEmpty();
    }

    [Fact]
    public async Task EditAsync_ChangeThatBreaksAnotherStoredEntry_IsRefused()
    {
        await _composer.EditAsync(context => Add(context, "remote", """{"url":"https://mcp.example.com/mcp"}"""), Save, CancellationToken.None);
        await _composer.EditAsync(context => RegistryProposal.To(context.Stored with
        {
            VirtualServers = [new RegistryEntry("review", """{"servers":["remote"]}""", context.Now, context.Now)],
        }), Save, CancellationToken.None);
        _saved.Clear();

        var problem = await _composer.EditAsync(context => RegistryProposal.To(context.Stored with { Servers = [] }), Save, CancellationToken.None);

        problem!.Kind.Should().Be(RegistryProblemKind.Invalid);
        problem.Detail.Should().Contain("review");
        _saved.Should().BeEmpty();
        _provider.Current.FindVirtualServer("review").Should().NotBeNull();
    }

    [Fact]
    public async Task EditAsync_RewritingASetAsideEntryStillInvalid_IsRefused()
    {
        await _composer.EditAsync(context => Add(context, "remote", """{"url":"https://stored.example.com/mcp"}"""), Save, CancellationToken.None);
        await _composer.ReplaceFileAsync(ConfigLoading.Load(FileText + "\n  remote: { command: uvx }\n").Config!, "hash-1", "test.yaml", CancellationToken.None);
        _saved.Clear();

        var problem = await _composer.EditAsync(context => RegistryProposal.To(context.Stored with
        {
            Servers = [context.Stored.Servers[0] with { Definition = """{"url":"https://other.example.com/mcp"}""" }],
        }), Save, CancellationToken.None);

        problem!.Kind.Should().Be(RegistryProblemKind.Invalid, "the written entry still clashes with the file");
        _saved.Should().BeEmpty();
    }
}
