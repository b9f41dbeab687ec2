using System.Globalization;

namespace McpGateway.Bench;

/// <summary>The command-line loop both modes share: bare words, <c>--option value</c> pairs, <c>-h</c>/<c>--help</c>.</summary>
internal static class BenchArguments
{
    /// <summary>
    /// Applies every argument to <paramref name="options"/>: <paramref name="word"/> takes a bare word (null when it is
    /// not one), <paramref name="option"/> an option and its value (throws <see cref="FormatException"/> on a bad value or
    /// an unknown option). Returns null after writing the problem and the usage to <paramref name="error"/>.
    /// </summary>
    public static T? Parse<T>(string[] args, TextWriter error, string usage, T options, Func<T, string, T?> word, Func<T, string, string, T> option)
        where T : class
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (word(options, arg) is { } afterWord)
            {
                options = afterWord;
                continue;
            }

            if (arg is "-h" or "--help")
            {
                error.WriteLine(usage);
                return null;
            }

            if (i + 1 >= args.Length)
            {
                error.WriteLine($"missing value after {arg}\n{usage}");
                return null;
            }

            var value = args[++i];
            try
            {
                options = option(options, arg, value);
            }
            catch (FormatException ex)
            {
                error.WriteLine($"{arg} {value}: {ex.Message}\n{usage}");
                return null;
            }
        }

        return options;
    }

    public static int Positive(string value)
    {
        var n = int.Parse(value, CultureInfo.InvariantCulture);
        return n > 0 ? n : throw new FormatException("must be a positive number");
    }
}
