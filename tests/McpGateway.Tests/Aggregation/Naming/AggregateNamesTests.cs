using System.Security.Cryptography;
using System.Text;
using McpGateway.Aggregation.Naming;
using McpGateway.Configuration;

namespace McpGateway.Tests.Aggregation.Naming;

public sealed class AggregateNamesTests
{
    [Theory]
    [InlineData("github", "get_pull_request", "__", "github__get_pull_request")]
    [InlineData("code-exec", "run.py", "__", "code-exec__run.py")]
    [InlineData("fs", "read", ".", "fs.read")]
    [InlineData("fs", "read", "-", "fs-read")]
    public void Compose_ValidResult_IsServerSeparatorName(string server, string name, string separator, string expected)
    {
        AggregateNames.Compose(server, name, separator).Should().Be(expected);
    }

    [Fact]
    public void Compose_SeparatorOutsideThePattern_StillGivesValidName()
    {
        // The config never allows such a separator; Compose stays total anyway.
        AggregateNames.Compose("a", "b", "::").Should().Be("a__b-" + Hash("a::b"));
    }

    [Fact]
    public void Compose_InvalidCharacters_AreReplacedAndHashAppended()
    {
        AggregateNames.Compose("fs", "read file", "__").Should().Be("fs__read_file-91ec678f");
        AggregateNames.Compose("fs", "read/file", "__").Should().Be("fs__read_file-b0f63943");
    }

    [Fact]
    public void Compose_NonAsciiCharacters_EachUtf16UnitBecomesUnderscore()
    {
        var result = AggregateNames.Compose("s", "café😀", "__");

        result.Should().StartWith("s__caf_" + "__" + "-").And.HaveLength("s__caf___".Length + 1 + AggregateNames.HashLength);
        result.Should().EndWith(Hash("s__café😀"));
    }

    [Fact]
    public void Compose_EmptyEverything_IsJustTheHashOfNothing()
    {
        AggregateNames.Compose(string.Empty, string.Empty, string.Empty).Should().Be("-e3b0c442");
    }

    [Fact]
    public void Compose_Exactly128Characters_IsUnchanged()
    {
        var name = new string('x', 128 - "s__".Length);

        AggregateNames.Compose("s", name, "__").Should().Be("s__" + name);
    }

    [Fact]
    public void Compose_129Characters_IsCutTo128WithHashOfTheOriginal()
    {
        var name = new string('x', 129 - "s__".Length);
        var composed = "s__" + name;

        var result = AggregateNames.Compose("s", name, "__");

        result.Should().HaveLength(AggregateNames.MaxLength);
        result.Should().Be(composed[..119] + "-" + Hash(composed));
    }

    [Fact]
    public void Compose_LongName_IsStableAcrossRuns()
    {
        // Pinned: names appear in clients' configs and transcripts, so the algorithm must not drift.
        AggregateNames.Compose("s", new string('x', 200), "__").Should().Be("s__" + new string('x', 116) + "-e6fc3e2c");
    }

    [Fact]
    public void Compose_TwoLongNamesSharingTheFirst128Characters_StayDistinct()
    {
        var shared = new string('a', 150);

        var first = AggregateNames.Compose("server", shared + "_one", "__");
        var second = AggregateNames.Compose("server", shared + "_two", "__");

        first.Should().NotBe(second);
        first.Should().HaveLength(128);
        second.Should().HaveLength(128);
        first[..119].Should().Be(second[..119]);
        AggregateNames.IsValid(first).Should().BeTrue();
        AggregateNames.IsValid(second).Should().BeTrue();
    }

    [Fact]
    public void Compose_NamesThatSanitizeAlike_StayDistinct()
    {
        string[] names = ["a b", "a/b", "a:b", "a_b", "a\u00e9b", "a\tb"];

        var results = names.Select(name => AggregateNames.Compose("s", name, "__")).ToList();

        results.Should().OnlyHaveUniqueItems();
        results.Should().Contain("s__a_b", "a valid name is never hashed");
    }

    [Fact]
    public void Compose_UnpairedSurrogates_StayDistinct()
    {
        var high = AggregateNames.Compose("s", "x\ud800", "__");
        var low = AggregateNames.Compose("s", "x\udc00", "__");

        high.Should().NotBe(low);
        high.Should().StartWith("s__x_-");
        AggregateNames.IsValid(high).Should().BeTrue();
    }

    [Fact]
    public void Compose_LongestServerAndSeparator_KeepTheirPrefix()
    {
        var server = new string('s', 64);
        const string separator = "--------";

        var result = AggregateNames.Compose(server, new string('t', 100) + " !", separator);

        result.Should().StartWith(server + separator).And.HaveLength(128);
    }

    [Fact]
    public void Compose_RandomInputs_AlwaysValidDeterministicAndDistinct()
    {
        var random = new Random(20250618);
        const string alphabet = "abcXYZ019_.-/ :é😀";
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 5_000; i++)
        {
            var name = new string(Enumerable.Range(0, random.Next(0, 200)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var result = AggregateNames.Compose("srv", name, "__");

            AggregateNames.IsValid(result).Should().BeTrue($"`{name}` gave `{result}`");
            AggregateNames.Compose("srv", name, "__").Should().Be(result);
            if (seen.TryGetValue(result, out var earlier) && earlier != name)
            {
                Assert.Fail($"`{earlier}` and `{name}` both became `{result}`");
            }

            seen[result] = name;
        }
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("A-z_0.9", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    [InlineData("é", false)]
    [InlineData("a\n", false)]
    public void IsValid_Name_FollowsTheSpecPattern(string name, bool expected)
    {
        AggregateNames.IsValid(name).Should().Be(expected);
    }

    [Fact]
    public void IsValid_Length_AtMost128()
    {
        AggregateNames.IsValid(new string('a', 128)).Should().BeTrue();
        AggregateNames.IsValid(new string('a', 129)).Should().BeFalse();
    }

    [Fact]
    public void Compose_NullArgument_Throws()
    {
        FluentActions.Invoking(() => AggregateNames.Compose(null!, "a", "__")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => AggregateNames.Compose("a", null!, "__")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => AggregateNames.Compose("a", "b", null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void NamingPolicy_Prefix_ComposesWithTheSeparator()
    {
        var policy = NamingPolicy.For(NamingMode.Prefix, ".");

        policy.Expose("github", "get_issue").Should().Be("github.get_issue");
        policy.Expose("fs", "read file").Should().Be("fs.read_file-" + Hash("fs.read file"));
    }

    [Fact]
    public void NamingPolicy_None_KeepsTheServersNameEvenWhenInvalid()
    {
        var policy = NamingPolicy.For(NamingMode.None, "__");

        policy.Expose("github", "get_issue").Should().Be("get_issue");
        policy.Expose("fs", "read file").Should().Be("read file");
    }

    private static string Hash(string composed) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(composed)))[..AggregateNames.HashLength];
}
