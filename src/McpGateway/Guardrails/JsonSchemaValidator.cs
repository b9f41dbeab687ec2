using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace McpGateway.Guardrails;

/// <summary>The first way an instance breaks a schema: where (a JSON Pointer), which keyword, and what to fix.</summary>
internal sealed record SchemaViolation(string Path, string Keyword, string Message);

/// <summary>
/// A compiled validator for the subset of JSON Schema that MCP servers put in <c>inputSchema</c>: <c>type</c> (a name
/// or a list, so <c>["string","null"]</c> is nullable; <c>integer</c> is a number without a fraction), <c>required</c>,
/// <c>properties</c>, <c>additionalProperties</c> (bool or schema), <c>enum</c>, <c>const</c>, <c>items</c> (one schema),
/// <c>minItems</c>/<c>maxItems</c>, <c>uniqueItems</c>, <c>minLength</c>/<c>maxLength</c> (in code points),
/// <c>pattern</c>, <c>minimum</c>/<c>maximum</c>/<c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> (numbers; the
/// draft-4 boolean form too), <c>multipleOf</c>, <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c>/<c>not</c>, and <c>$ref</c> to
/// <c>#</c>, <c>#/$defs/…</c> and <c>#/definitions/…</c>.
/// </summary>
/// <remarks>
/// Every other keyword (<c>format</c>, <c>patternProperties</c>, <c>if</c>/<c>then</c>, remote <c>$ref</c>, …) is
/// ignored, so an unknown construct lets arguments through rather than refusing calls the server would accept. A
/// schema comes from an upstream and is untrusted: a <c>pattern</c> .NET cannot parse is ignored, and matching has a
/// timeout. Validating a valid instance allocates nothing; the error path is built only on failure.
/// </remarks>
internal sealed class JsonSchemaValidator
{
    /// <summary>Bounds one <c>pattern</c> match: a hostile schema must not stall the gateway.</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    private const int MaxDepth = 64;

    private readonly Node _root;

    private JsonSchemaValidator(Node root) => _root = root;

    /// <summary>Compiles <paramref name="schema"/> (a JSON Schema object or boolean); reads it, never keeps it.</summary>
    public static JsonSchemaValidator Compile(JsonNode? schema)
    {
        var compiler = new Compiler(schema as JsonObject);
        return new JsonSchemaValidator(compiler.Compile(schema, 0));
    }

    /// <summary>The first violation, or null when <paramref name="instance"/> is valid.</summary>
    public SchemaViolation? Validate(JsonNode? instance)
    {
        var failure = _root.Validate(instance, 0);
        return failure is null ? null : new SchemaViolation(failure.Pointer(), failure.Keyword, failure.Message);
    }

    /// <summary>A violation on its way up: segments are added innermost first, as the recursion unwinds.</summary>
    private sealed class Failure(string keyword, string message)
    {
        private List<string>? _segments;

        public string Keyword { get; } = keyword;

        public string Message { get; } = message;

        public Failure At(string segment)
        {
            (_segments ??= []).Add(segment);
            return this;
        }

        public string Pointer()
        {
            if (_segments is null)
            {
                return string.Empty;
            }

            var builder = new System.Text.StringBuilder();
            for (var i = _segments.Count - 1; i >= 0; i--)
            {
                builder.Append('/').Append(_segments[i].Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
            }

            return builder.ToString();
        }
    }

    [Flags]
    private enum JsonTypes
    {
        None = 0,
        Null = 1,
        Boolean = 2,
        Object = 4,
        Array = 8,
        Number = 16,
        Integer = 32,
        String = 64,
    }

    private sealed class Node
    {
        public bool? Constant; // true/false schema
        public Node? Ref;
        public JsonTypes Types;
        public string? TypeText;
        public (string Name, Node Schema)[]? Properties;
        public string[]? Required;
        public bool AdditionalForbidden;
        public Node? Additional;
        public JsonNode[]? Enum;
        public string? EnumText;
        public JsonNode? Const;
        public bool HasConst;
        public Node? Items;
        public int? MinItems, MaxItems, MinLength, MaxLength;
        public bool UniqueItems;
        public Regex? Pattern;
        public double? Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum, MultipleOf;
        public Node[]? AllOf, AnyOf, OneOf;
        public Node? Not;

        public Failure? Validate(JsonNode? instance, int depth)
        {
            if (Constant is { } constant)
            {
                return constant ? null : new Failure("false", "is not allowed");
            }

            if (depth > MaxDepth)
            {
                // Deeper than any real argument; a $ref cycle over a deep instance ends here rather than overflowing.
                return null;
            }

            if (Ref is not null && Ref.Validate(instance, depth + 1) is { } refFailure)
            {
                return refFailure;
            }

            var kind = instance?.GetValueKind() ?? JsonValueKind.Null;
            if (Types != JsonTypes.None && !Matches(Types, instance, kind))
            {
                return new Failure("type", $"must be {TypeText}");
            }

            if (HasConst && !JsonNode.DeepEquals(Const, instance))
            {
                return new Failure("const", $"must be {Const?.ToJsonString() ?? "null"}");
            }

            if (Enum is not null && !InEnum(instance))
            {
                return new Failure("enum", $"must be one of {EnumText}");
            }

            var failure = kind switch
            {
                JsonValueKind.Object => ValidateObject((JsonObject)instance!, depth),
                JsonValueKind.Array => ValidateArray((JsonArray)instance!, depth),
                JsonValueKind.String => ValidateString(instance!.GetValue<string>()),
                JsonValueKind.Number => ValidateNumber(instance!.AsValue()),
                _ => null,
            };
            return failure ?? ValidateCombinators(instance, depth);
        }

        private bool InEnum(JsonNode? instance)
        {
            foreach (var candidate in Enum!)
            {
                if (JsonNode.DeepEquals(candidate, instance))
                {
                    return true;
                }
            }

            return false;
        }

        private Failure? ValidateObject(JsonObject value, int depth)
        {
            if (Required is not null)
            {
                foreach (var name in Required)
                {
                    if (!value.ContainsKey(name))
                    {
                        return new Failure("required", "is required").At(name);
                    }
                }
            }

            if (Properties is null && Additional is null && !AdditionalForbidden)
            {
                return null;
            }

            foreach (var (name, child) in value)
            {
                var schema = FindProperty(name);
                if (schema is null)
                {
                    if (AdditionalForbidden)
                    {
                        return new Failure("additionalProperties", "is not an accepted property").At(name);
                    }

                    schema = Additional;
                }

                if (schema?.Validate(child, depth + 1) is { } failure)
                {
                    return failure.At(name);
                }
            }

            return null;
        }

        private Node? FindProperty(string name)
        {
            if (Properties is null)
            {
                return null;
            }

            foreach (var (candidate, schema) in Properties)
            {
                if (string.Equals(candidate, name, StringComparison.Ordinal))
                {
                    return schema;
                }
            }

            return null;
        }

        private Failure? ValidateArray(JsonArray value, int depth)
        {
            if (MinItems is { } min && value.Count < min)
            {
                return new Failure("minItems", $"must have at least {min} items");
            }

            if (MaxItems is { } max && value.Count > max)
            {
                return new Failure("maxItems", $"must have at most {max} items");
            }

            if (UniqueItems)
            {
                for (var i = 1; i < value.Count; i++)
                {
                    for (var j = 0; j < i; j++)
                    {
                        if (JsonNode.DeepEquals(value[i], value[j]))
                        {
                            return new Failure("uniqueItems", $"must not repeat item {j}").At(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        }
                    }
                }
            }

            if (Items is not null)
            {
                for (var i = 0; i < value.Count; i++)
                {
                    if (Items.Validate(value[i], depth + 1) is { } failure)
                    {
                        return failure.At(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }

            return null;
        }

        private Failure? ValidateString(string value)
        {
            if (MinLength is not null || MaxLength is not null)
            {
                var length = 0;
                foreach (var _ in value.EnumerateRunes())
                {
                    length++;
                }

                if (MinLength is { } min && length < min)
                {
                    return new Failure("minLength", $"must be at least {min} characters long");
                }

                if (MaxLength is { } max && length > max)
                {
                    return new Failure("maxLength", $"must be at most {max} characters long");
                }
            }

            if (Pattern is not null)
            {
                try
                {
                    if (!Pattern.IsMatch(value))
                    {
                        return new Failure("pattern", $"must match the pattern {Pattern}");
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    return new Failure("pattern", $"could not be checked against the pattern {Pattern} in time");
                }
            }

            return null;
        }

        private Failure? ValidateNumber(JsonValue value)
        {
            if (Minimum is null && Maximum is null && ExclusiveMinimum is null && ExclusiveMaximum is null && MultipleOf is null)
            {
                return null;
            }

            var number = ToDouble(value);
            if (Minimum is { } minimum && number < minimum)
            {
                return new Failure("minimum", $"must be >= {Format(minimum)}");
            }

            if (Maximum is { } maximum && number > maximum)
            {
                return new Failure("maximum", $"must be <= {Format(maximum)}");
            }

            if (ExclusiveMinimum is { } exclusiveMinimum && number <= exclusiveMinimum)
            {
                return new Failure("exclusiveMinimum", $"must be > {Format(exclusiveMinimum)}");
            }

            if (ExclusiveMaximum is { } exclusiveMaximum && number >= exclusiveMaximum)
            {
                return new Failure("exclusiveMaximum", $"must be < {Format(exclusiveMaximum)}");
            }

            if (MultipleOf is { } step && !IsMultiple(value, number, step))
            {
                return new Failure("multipleOf", $"must be a multiple of {Format(step)}");
            }

            return null;
        }

        private static bool IsMultiple(JsonValue value, double number, double step)
        {
            // Decimal first: 0.3 is a multiple of 0.1 there, not in binary floating point.
            if (value.TryGetValue(out decimal exact))
            {
                try
                {
                    return exact % (decimal)step == 0;
                }
                catch (OverflowException)
                {
                }
            }

            var quotient = number / step;
            return Math.Abs(quotient - Math.Round(quotient)) < 1e-9;
        }

        private Failure? ValidateCombinators(JsonNode? instance, int depth)
        {
            if (AllOf is not null)
            {
                foreach (var schema in AllOf)
                {
                    if (schema.Validate(instance, depth + 1) is { } failure)
                    {
                        return failure;
                    }
                }
            }

            if (AnyOf is not null)
            {
                Failure? first = null;
                var matched = false;
                foreach (var schema in AnyOf)
                {
                    var failure = schema.Validate(instance, depth + 1);
                    if (failure is null)
                    {
                        matched = true;
                        break;
                    }

                    first ??= failure;
                }

                if (!matched)
                {
                    return new Failure("anyOf", $"must match at least one of the {AnyOf.Length} allowed schemas (the first says: {first!.Message})");
                }
            }

            if (OneOf is not null)
            {
                var matches = 0;
                foreach (var schema in OneOf)
                {
                    if (schema.Validate(instance, depth + 1) is null)
                    {
                        matches++;
                    }
                }

                if (matches != 1)
                {
                    return new Failure("oneOf", matches == 0
                        ? $"must match exactly one of the {OneOf.Length} allowed schemas, and matches none"
                        : $"must match exactly one of the {OneOf.Length} allowed schemas, and matches {matches}");
                }
            }

            if (Not is not null && Not.Validate(instance, depth + 1) is null)
            {
                return new Failure("not", "must not match the excluded schema");
            }

            return null;
        }

        private static bool Matches(JsonTypes types, JsonNode? instance, JsonValueKind kind) => kind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => (types & JsonTypes.Null) != 0,
            JsonValueKind.True or JsonValueKind.False => (types & JsonTypes.Boolean) != 0,
            JsonValueKind.Object => (types & JsonTypes.Object) != 0,
            JsonValueKind.Array => (types & JsonTypes.Array) != 0,
            JsonValueKind.String => (types & JsonTypes.String) != 0,
            JsonValueKind.Number => (types & JsonTypes.Number) != 0 || ((types & JsonTypes.Integer) != 0 && IsInteger(instance!.AsValue())),
            _ => false,
        };

        private static bool IsInteger(JsonValue value) =>
            value.TryGetValue(out long _) || (value.TryGetValue(out double number) && double.IsFinite(number) && Math.Floor(number) == number);

        private static double ToDouble(JsonValue value) =>
            value.TryGetValue(out double number) ? number : value.TryGetValue(out long whole) ? whole : value.TryGetValue(out decimal exact) ? (double)exact : double.NaN;

        private static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Turns schema JSON into nodes; local <c>$ref</c>s are compiled once each, cycles included.</summary>
    private sealed class Compiler(JsonObject? root)
    {
        private readonly Dictionary<string, Node> _refs = new(StringComparer.Ordinal);

        public Node Compile(JsonNode? schema, int depth)
        {
            if (schema is JsonValue value && value.TryGetValue(out bool constant))
            {
                return new Node { Constant = constant };
            }

            var node = new Node();
            if (schema is not JsonObject obj || depth > MaxDepth)
            {
                // Not a schema (or absurdly deep): accept anything rather than refuse calls.
                return node;
            }

            Fill(node, obj, depth);
            return node;
        }

        private void Fill(Node node, JsonObject obj, int depth)
        {
            if ((string?)Text(obj["$ref"]) is { } reference)
            {
                node.Ref = Resolve(reference, depth);
            }

            ReadTypes(node, obj["type"]);
            if (obj["properties"] is JsonObject properties)
            {
                node.Properties = [.. properties.Select(p => (p.Key, Compile(p.Value, depth + 1)))];
            }

            if (obj["required"] is JsonArray required)
            {
                node.Required = [.. required.Select(Text).OfType<string>()];
            }

            switch (obj["additionalProperties"])
            {
                case JsonValue additional when additional.TryGetValue(out bool allowed):
                    node.AdditionalForbidden = !allowed;
                    break;
                case JsonObject additional:
                    node.Additional = Compile(additional, depth + 1);
                    break;
            }

            if (obj["enum"] is JsonArray values)
            {
                node.Enum = [.. values.Select(v => v?.DeepClone()!)];
                node.EnumText = string.Join(", ", values.Select(v => v?.ToJsonString() ?? "null"));
            }

            if (obj.TryGetPropertyValue("const", out var constValue))
            {
                node.HasConst = true;
                node.Const = constValue?.DeepClone();
            }

            if (obj["items"] is JsonObject or JsonValue && obj["items"] is { } items)
            {
                node.Items = Compile(items, depth + 1);
            }

            node.MinItems = Count(obj["minItems"]);
            node.MaxItems = Count(obj["maxItems"]);
            node.MinLength = Count(obj["minLength"]);
            node.MaxLength = Count(obj["maxLength"]);
            node.UniqueItems = obj["uniqueItems"] is JsonValue unique && unique.TryGetValue(out bool isUnique) && isUnique;
            if (Text(obj["pattern"]) is { } pattern)
            {
                try
                {
                    node.Pattern = new Regex(pattern, RegexOptions.CultureInvariant, PatternTimeout);
                }
                catch (ArgumentException)
                {
                    // A pattern .NET cannot read is ignored like an unknown keyword.
                }
            }

            node.Minimum = Number(obj["minimum"]);
            node.Maximum = Number(obj["maximum"]);
            node.ExclusiveMinimum = Number(obj["exclusiveMinimum"]);
            node.ExclusiveMaximum = Number(obj["exclusiveMaximum"]);

            // Draft 4 wrote exclusiveMinimum: true next to minimum.
            if (obj["exclusiveMinimum"] is JsonValue exMin && exMin.TryGetValue(out bool exclusiveMin) && exclusiveMin)
            {
                (node.ExclusiveMinimum, node.Minimum) = (node.Minimum, null);
            }

            if (obj["exclusiveMaximum"] is JsonValue exMax && exMax.TryGetValue(out bool exclusiveMax) && exclusiveMax)
            {
                (node.ExclusiveMaximum, node.Maximum) = (node.Maximum, null);
            }

            node.MultipleOf = Number(obj["multipleOf"]) is > 0 and var step ? step : null;
            node.AllOf = List(obj["allOf"], depth);
            node.AnyOf = List(obj["anyOf"], depth);
            node.OneOf = List(obj["oneOf"], depth);
            if (obj["not"] is { } not)
            {
                node.Not = Compile(not, depth + 1);
            }
        }

        private Node? Resolve(string reference, int depth)
        {
            if (_refs.TryGetValue(reference, out var known))
            {
                return known;
            }

            JsonNode? target;
            if (reference == "#")
            {
                target = root;
            }
            else if (reference.StartsWith("#/$defs/", StringComparison.Ordinal) || reference.StartsWith("#/definitions/", StringComparison.Ordinal))
            {
                var slash = reference.IndexOf('/', 2);
                var section = reference[2..slash];
                var name = reference[(slash + 1)..].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                target = root?[section]?[name];
            }
            else
            {
                // Remote and other pointers are not followed: unknown, so ignored.
                return null;
            }

            if (target is null)
            {
                return null;
            }

            // Registered before compiling so that a recursive definition points back at this node.
            var node = new Node();
            _refs[reference] = node;
            if (target is JsonValue value && value.TryGetValue(out bool constant))
            {
                node.Constant = constant;
            }
            else if (target is JsonObject obj)
            {
                Fill(node, obj, depth + 1);
            }

            return node;
        }

        private Node[]? List(JsonNode? node, int depth) =>
            node is JsonArray array && array.Count > 0 ? [.. array.Select(item => Compile(item, depth + 1))] : null;

        private static void ReadTypes(Node node, JsonNode? type)
        {
            IEnumerable<string> names = type switch
            {
                JsonArray array => array.Select(Text).OfType<string>(),
                JsonValue => Text(type) is { } one ? [one] : [],
                _ => [],
            };
            var list = names.ToList();
            foreach (var name in list)
            {
                node.Types |= name switch
                {
                    "null" => JsonTypes.Null,
                    "boolean" => JsonTypes.Boolean,
                    "object" => JsonTypes.Object,
                    "array" => JsonTypes.Array,
                    "number" => JsonTypes.Number,
                    "integer" => JsonTypes.Integer,
                    "string" => JsonTypes.String,
                    _ => JsonTypes.None,
                };
            }

            if (node.Types != JsonTypes.None)
            {
                node.TypeText = list.Count == 1 ? (list[0] is "integer" or "object" or "array" ? "an " : "a ") + list[0] : "one of " + string.Join(", ", list);
                if (list.Count == 1 && list[0] == "null")
                {
                    node.TypeText = "null";
                }
            }
        }

        private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

        private static double? Number(JsonNode? node) =>
            node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out double number) ? number : null;

        private static int? Count(JsonNode? node) =>
            Number(node) is { } number && number >= 0 ? (int)Math.Min(number, int.MaxValue) : null;
    }
}
