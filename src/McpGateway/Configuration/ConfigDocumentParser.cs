using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Configuration;

/// <summary>
/// Turns config text (YAML, or JSON read as YAML flow syntax) into a YamlDotNet node tree whose nodes carry line numbers.
/// Syntax errors, duplicate keys and extra documents become diagnostics instead of exceptions.
/// </summary>
internal static class ConfigDocumentParser
{
    private const int MaxDepth = 64;

    /// <summary>False when the text cannot be read (errors added). True with a null root for an empty document.</summary>
    public static bool TryParse(string text, List<ConfigDiagnostic> errors, out YamlNode? root)
    {
        root = null;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var looksLikeJson = JsoncComments.LooksLikeJson(text);
        if (looksLikeJson)
        {
            // YamlDotNet accepts some invalid JSON (a missing comma after `}`), so JSON is held to JSON's own grammar first.
            if (JsonSyntaxError(text) is { } jsonError)
            {
                errors.Add(jsonError);
                return false;
            }

            text = JsoncComments.Blank(text);
        }

        // A first pass over parser events finds every duplicate key (YamlStream stops at the first one) and syntax errors.
        var errorCount = errors.Count;
        CheckStructure(text, looksLikeJson, errors);
        if (errors.Count > errorCount)
        {
            return false;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new Parser(new StringReader(text)));
        }
        catch (YamlException ex)
        {
            // Unreachable in practice (the first pass saw the same text); kept so a parser corner case stays a diagnostic.
            errors.Add(SyntaxError(ex, looksLikeJson));
            return false;
        }

        root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        return true;
    }

    /// <summary>1-based line of a node.</summary>
    public static int LineOf(YamlNode node) => ToLine(node.Start);

    private static int ToLine(Mark mark) => (int)Math.Clamp(mark.Line, 1, int.MaxValue);

    private static void CheckStructure(string text, bool looksLikeJson, List<ConfigDiagnostic> errors)
    {
        var scanner = new Scanner(new StringReader(text));
        var parser = new Parser(scanner);
        var tracker = new DuplicateKeyTracker(errors);
        var documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is DocumentStart start && ++documents == 2)
                {
                    errors.Add(new ConfigDiagnostic(string.Empty, ToLine(start.Start), "the file holds more than one YAML document (`---`); keep a single document"));
                    return;
                }

                tracker.Observe(parser.Current!);
                if (tracker.Depth > MaxDepth)
                {
                    // YamlStream builds its tree recursively; a hostile document (e.g. via the admin API) must not exhaust the stack.
                    errors.Add(new ConfigDiagnostic(string.Empty, ToLine(parser.Current!.Start), $"the document nests deeper than {MaxDepth} levels; no gateway setting needs that"));
                    return;
                }
            }
        }
        catch (YamlException ex)
        {
            errors.Add(SyntaxError(ex, looksLikeJson));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (without a position) on some unclosed flow collections.
            errors.Add(new ConfigDiagnostic(
                string.Empty,
                ToLine(scanner.CurrentPosition),
                $"{Format(looksLikeJson)} is malformed here; check for an unclosed bracket, brace or quote"));
        }
    }

    /// <summary>JSONC as VS Code writes it: comments and trailing commas allowed, otherwise strict JSON.</summary>
    private static ConfigDiagnostic? JsonSyntaxError(string text)
    {
        var reader = new Utf8JsonReader(
            Encoding.UTF8.GetBytes(text),
            new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            // The reader's message ends with its own 0-based "LineNumber: n | BytePositionInLine: m."; the diagnostic has the line.
            var reason = ex.Message;
            var position = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            reason = (position >= 0 ? reason[..position] : reason).TrimEnd().TrimEnd('.');
            return new ConfigDiagnostic(
                string.Empty,
                (int)Math.Clamp((ex.LineNumber ?? 0) + 1, 1, int.MaxValue),
                $"JSON is malformed: {reason}; fix the syntax at this spot");
        }
    }

    private static ConfigDiagnostic SyntaxError(YamlException ex, bool looksLikeJson)
    {
        var reason = ex.Message.TrimEnd('.');
        return new ConfigDiagnostic(
            string.Empty,
            ToLine(ex.Start),
            $"{Format(looksLikeJson)} is malformed at column {ex.Start.Column}: {reason}; fix the syntax at this spot");
    }

    private static string Format(bool looksLikeJson) => looksLikeJson ? "JSON" : "YAML";

    /// <summary>Follows mapping/sequence nesting through parser events to report duplicate keys with their key path.</summary>
    private sealed class DuplicateKeyTracker(List<ConfigDiagnostic> errors)
    {
        private readonly Stack<Frame> frames = new();

        public int Depth => frames.Count;

        public void Observe(ParsingEvent current)
        {
            switch (current)
            {
                case MappingStart:
                    frames.Push(new Frame(ChildPath(), isMapping: true));
                    break;
                case SequenceStart:
                    frames.Push(new Frame(ChildPath(), isMapping: false));
                    break;
                case MappingEnd or SequenceEnd:
                    frames.Pop();
                    NodeCompleted();
                    break;
                case Scalar scalar:
                    if (frames.TryPeek(out var frame) && frame.IsMapping && frame.ExpectingKey)
                    {
                        OnKey(frame, scalar);
                    }

                    NodeCompleted();
                    break;
                case AnchorAlias:
                    NodeCompleted();
                    break;
                case DocumentStart:
                    frames.Clear();
                    break;
            }
        }

        private void OnKey(Frame frame, Scalar key)
        {
            frame.PendingKey = key.Value;
            if (!frame.Keys.Add(key.Value))
            {
                errors.Add(new ConfigDiagnostic(
                    Join(frame.Path, key.Value),
                    ToLine(key.Start),
                    $"duplicate key `{key.Value}`; a key may appear once per mapping, so merge the two entries into one"));
            }
        }

        private string ChildPath()
        {
            if (!frames.TryPeek(out var parent))
            {
                return string.Empty;
            }

            if (!parent.IsMapping)
            {
                return $"{parent.Path}[{parent.Index}]";
            }

            // A collection used as a key has no name of its own; "?" keeps the path readable.
            return Join(parent.Path, parent.ExpectingKey ? "?" : parent.PendingKey ?? "?");
        }

        private void NodeCompleted()
        {
            if (!frames.TryPeek(out var frame))
            {
                return;
            }

            if (frame.IsMapping)
            {
                if (!frame.ExpectingKey)
                {
                    frame.PendingKey = null;
                }

                frame.ExpectingKey = !frame.ExpectingKey;
            }
            else
            {
                frame.Index++;
            }
        }

        private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

        private sealed class Frame(string path, bool isMapping)
        {
            public string Path { get; } = path;

            public bool IsMapping { get; } = isMapping;

            public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

            public bool ExpectingKey { get; set; } = true;

            public string? PendingKey { get; set; }

            public int Index { get; set; }
        }
    }
}
