using System.Text;
using System.Text.RegularExpressions;
using McpGateway.Configuration;

namespace McpGateway.Tests.Configuration;

public sealed class GlobTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything at all", true)]
    [InlineData("**", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("?", "", false)]
    [InlineData("?", "a", true)]
    [InlineData("?", "ab", false)]
    [InlineData("*?", "", false)]
    [InlineData("*?", "x", true)]
    [InlineData("??*??", "abc", false)]
    [InlineData("??*??", "abcd", true)]
    [InlineData("get_*", "get_", true)]
    [InlineData("get_*", "get_issue", true)]
    [InlineData("get_*", "get", false)]
    [InlineData("get_*", "forget_it", false)]
    [InlineData("*delete*", "github__delete_repo", true)]
    [InlineData("*delete*", "delete", true)]
    [InlineData("*delete*", "github__del_repo", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("a*a", "a", false)]
    [InlineData("a*a", "aa", true)]
    [InlineData("a*a", "aba", true)]
    [InlineData("ab*ba", "aba", false)]
    [InlineData("*ab*ab*", "abab", true)]
    [InlineData("*ab*ab*", "aab", false)]
    [InlineData("Get_*", "get_issue", false)]
    [InlineData("get_?ssue", "get_issue", true)]
    [InlineData("get_?ssue", "get_Issue", true)]
    [InlineData("*.m?", "readme.md", true)]
    [InlineData("*.m?", "readme.mdx", false)]
    [InlineData("a?c*f", "abcdef", true)]
    [InlineData("*b?d*", "abcdef", true)]
    [InlineData("*b?d*", "abxcdef", false)]
    [InlineData("file:///shared/*", "file:///shared/a/b.txt", true)]
    [InlineData("file:///shared/*", "file:///sharedx", false)]
    [InlineData("file:///shared/*", "FILE:///shared/a", false)]
    [InlineData("https://x/?q=*", "https://x/?q=1", true)]
    [InlineData("https://x/?q=*", "https://x/!q=1", true)]
    public void IsMatch_Pattern_MatchesAsGlob(string pattern, string text, bool expected)
    {
        Glob.Compile(pattern).IsMatch(text).Should().Be(expected);
        Glob.IsMatch(pattern, text).Should().Be(expected, "the uncompiled matcher must agree");
    }

    [Fact]
    public void IsMatch_EveryShortPatternAndText_AgreesWithRegexReference()
    {
        var patterns = Strings("ab*?", maxLength: 5);
        var texts = Strings("ab", maxLength: 6);

        foreach (var pattern in patterns)
        {
            var glob = Glob.Compile(pattern);
            var reference = new Regex("^" + string.Concat(pattern.Select(c => c switch { '*' => ".*", '?' => ".", _ => Regex.Escape(c.ToString()) })) + @"\z", RegexOptions.Singleline);
            foreach (var text in texts)
            {
                var expected = reference.IsMatch(text);
                if (glob.IsMatch(text) != expected || Glob.IsMatch(pattern, text) != expected)
                {
                    Assert.Fail($"`{pattern}` on `{text}`: expected {expected}, compiled {glob.IsMatch(text)}, uncompiled {Glob.IsMatch(pattern, text)}");
                }
            }
        }
    }

    [Theory]
    [InlineData("get_*", "get_")]
    [InlineData("github__get_?ssue", "github__get_")]
    [InlineData("plain", "plain")]
    [InlineData("*x", "")]
    [InlineData("", "")]
    public void LiteralPrefix_Pattern_IsTextBeforeFirstWildcard(string pattern, string expected)
    {
        Glob.LiteralPrefix(pattern).ToString().Should().Be(expected);
    }

    [Theory]
    [InlineData("get_issue", true)]
    [InlineData("get_*", false)]
    [InlineData("get_?", false)]
    [InlineData("", true)]
    public void IsLiteral_Pattern_TrueOnlyWithoutWildcards(string pattern, bool expected)
    {
        Glob.Compile(pattern).IsLiteral.Should().Be(expected);
    }

    [Fact]
    public void IsMatch_AfterWarmUp_AllocatesNothing()
    {
        Glob[] globs = [Glob.Compile("github__get_*"), Glob.Compile("*delete*"), Glob.Compile("a?c*x*z"), Glob.Compile("exact"), Glob.Compile("*.m?")];
        string[] names = ["github__get_issue", "code-exec__delete_all", "abcxyz", "exact", "readme.md", "nothing-matches-here"];
        var matches = Run();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            matches += Run();
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        matches.Should().BeGreaterThan(0);

        int Run()
        {
            var count = 0;
            foreach (var glob in globs)
            {
                foreach (var name in names)
                {
                    count += glob.IsMatch(name) ? 1 : 0;
                    count += Glob.IsMatch(glob.Pattern, name) ? 1 : 0;
                }
            }

            return count;
        }
    }

    [Fact]
    public void IsMatch_ManyStarsOnLongText_IsFast()
    {
        // A pattern that makes naive recursive matchers exponential.
        var glob = Glob.Compile("a*a*a*a*a*a*a*a*a*a*b");
        var text = new string('a', 10_000);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        glob.IsMatch(text).Should().BeFalse();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    private static List<string> Strings(string alphabet, int maxLength)
    {
        var all = new List<string> { string.Empty };
        var previous = new List<string> { string.Empty };
        for (var length = 1; length <= maxLength; length++)
        {
            var next = new List<string>();
            foreach (var prefix in previous)
            {
                foreach (var c in alphabet)
                {
                    next.Add(new StringBuilder(prefix).Append(c).ToString());
                }
            }

            all.AddRange(next);
            previous = next;
        }

        return all;
    }
}
