using McpGateway.Configuration;

namespace McpGateway.Tests.Configuration;

public sealed class ItemFilterTests
{
    [Theory]
    [InlineData("")]
    [InlineData("anything")]
    [InlineData("file:///etc/passwd")]
    public void All_AnyName_IsAllowed(string name)
    {
        ItemFilter.All.Allows(name).Should().BeTrue();
        ItemFilter.All.AllowsAll.Should().BeTrue();
    }

    [Fact]
    public void Allows_EmptyAllow_AllowsEverythingNotDenied()
    {
        var filter = new ItemFilter([], ["delete_*"]);

        filter.Allows("get_issue").Should().BeTrue();
        filter.Allows("delete_repo").Should().BeFalse();
        filter.AllowsAll.Should().BeFalse();
    }

    [Fact]
    public void Allows_AllowList_OnlyMatchingNamesPass()
    {
        var filter = new ItemFilter(["get_*", "list_*"], []);

        filter.Allows("get_issue").Should().BeTrue();
        filter.Allows("list_issues").Should().BeTrue();
        filter.Allows("create_issue").Should().BeFalse();
        filter.Allows(string.Empty).Should().BeFalse();
    }

    [Fact]
    public void Allows_NameMatchedByAllowAndDeny_DenyWins()
    {
        var filter = new ItemFilter(["github__*", "get_secret"], ["*delete*", "get_secret"]);

        filter.Allows("github__get_issue").Should().BeTrue();
        filter.Allows("github__delete_repo").Should().BeFalse();
        filter.Allows("get_secret").Should().BeFalse("an exact allow does not beat a deny");
    }

    [Fact]
    public void Allows_DenyStar_DeniesEverythingWhateverIsAllowed()
    {
        var filter = new ItemFilter(["*", "exact"], ["*"]);

        filter.Allows("exact").Should().BeFalse();
        filter.Allows(string.Empty).Should().BeFalse();
    }

    [Theory]
    [InlineData("get_?", "get_a", true)]
    [InlineData("get_?", "get_", false)]
    [InlineData("get_?", "get_ab", false)]
    [InlineData("*", "", true)]
    [InlineData("get_*", "get_", true)]
    [InlineData("GET_*", "get_x", false)]
    [InlineData("get_x", "GET_X", false)]
    [InlineData("file:///shared/*", "file:///shared/docs/a.md", true)]
    [InlineData("file:///shared/*", "file:///private/a.md", false)]
    public void Allows_AllowGlob_FollowsGlobRulesCaseSensitively(string allow, string name, bool expected)
    {
        new ItemFilter([allow], []).Allows(name).Should().Be(expected);
        new ItemFilter([], [allow]).Allows(name).Should().Be(!expected, "the same glob as a deny refuses exactly what it matches");
    }

    [Fact]
    public void Allows_ManyLiteralsAndGlobs_EachIsHonoured()
    {
        var literals = Enumerable.Range(0, 200).Select(i => $"tool_{i}").ToList();
        var filter = new ItemFilter([.. literals, "extra_*"], ["tool_13"]);

        literals.Where(filter.Allows).Should().HaveCount(199).And.NotContain("tool_13");
        filter.Allows("extra_x").Should().BeTrue();
        filter.Allows("tool_200").Should().BeFalse();
        filter.Allows("tool_1x").Should().BeFalse();
    }

    [Fact]
    public void Allows_SpanOverload_AgreesWithStringOverload()
    {
        var filter = new ItemFilter(["server__get_*"], ["*_secret"]);
        const string text = "xxserver__get_issuexx";

        filter.Allows(text.AsSpan(2, text.Length - 4)).Should().BeTrue();
        filter.Allows("server__get_secret".AsSpan()).Should().BeFalse();
    }

    [Fact]
    public void Allows_AfterWarmUp_AllocatesNothing()
    {
        var filter = new ItemFilter(["github__get_*", "github__list_*", "code-exec__run", "code-exec__eval"], ["*delete*"]);
        string[] names = ["github__get_issue", "github__delete_repo", "code-exec__run", "other__x"];
        var allowed = names.Count(filter.Allows);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            foreach (var name in names)
            {
                allowed += filter.Allows(name) ? 1 : 0;
            }
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        allowed.Should().Be(2 * 1001);
    }

    [Fact]
    public void Equals_SamePatternsInOtherListInstances_AreEqual()
    {
        var a = new ItemFilter(new List<string> { "a*", "b" }, ["c"]);
        var b = new ItemFilter(["a*", "b"], new List<string> { "c" });

        a.Should().Be(b);
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.Should().NotBe(new ItemFilter(["b", "a*"], ["c"]), "order is part of the value");
        new ItemFilter([], []).Should().Be(ItemFilter.All);
    }

    [Fact]
    public void With_ReplacedAllow_IsRecompiled()
    {
        var original = new ItemFilter(["a*"], ["ab"]);

        var changed = original with { Allow = ["x"] };

        changed.Allows("x").Should().BeTrue();
        changed.Allows("ac").Should().BeFalse();
        original.Allows("ac").Should().BeTrue();
        (changed with { Deny = ["x"] }).Allows("x").Should().BeFalse();
    }

    [Fact]
    public void Constructor_ListChangedAfterwards_FilterKeepsItsCopy()
    {
        var allow = new List<string> { "a" };
        var filter = new ItemFilter(allow, []);

        allow[0] = "b";

        filter.Allows("a").Should().BeTrue();
        filter.Allows("b").Should().BeFalse();
        filter.Allow.Should().Equal("a");
    }

    [Fact]
    public void ToString_ShowsThePatterns()
    {
        new ItemFilter(["a*", "b"], ["c"]).ToString().Should().Be("ItemFilter { Allow = [a*, b], Deny = [c] }");
    }

    [Fact]
    public void Constructor_NullPattern_Throws()
    {
        var act = () => new ItemFilter(["a", null!], []);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Allows_NullName_Throws()
    {
        var act = () => ItemFilter.All.Allows((string)null!);

        act.Should().Throw<ArgumentNullException>();
    }
}
