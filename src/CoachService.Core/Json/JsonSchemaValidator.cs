using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Json.Pointer;
using Json.Schema;

namespace CoachService.Json;

/// <summary>
/// Validates structured outputs with JsonSchema.Net and words each failure as "path: rule", e.g.
/// <c>$.emotions[0].intensity: 7 is greater than the maximum 5</c>. JsonSchema.Net decides what fails;
/// the wording is ours because its messages quote string values, and ours never do: errors are
/// logged, put into exceptions and shown to the model in a repair request, and a string in an output
/// may echo the user's words.
/// </summary>
public static class JsonSchemaValidator
{
    // Parsed once per schema text; there is one schema per structured prompt (and per hot-reloaded edit).
    private static readonly ConcurrentDictionary<string, CompiledSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>
    /// A schema with the options it is always evaluated with, one evaluation at a time: JsonSchema.Net
    /// 7.4 keeps evaluation state on the schema and gives wrong results to evaluations of one schema
    /// that run in parallel (json-everything issue 929). Evaluating an output takes microseconds.
    /// </summary>
    private sealed record CompiledSchema(JsonSchema Schema, EvaluationOptions Options, Lock Gate)
    {
        public static CompiledSchema Parse(string text) =>
            new(JsonSchema.FromText(text), new EvaluationOptions { OutputFormat = OutputFormat.List }, new Lock());

        public EvaluationResults Evaluate(JsonElement instance)
        {
            lock (Gate)
            {
                return Schema.Evaluate(instance, Options);
            }
        }
    }

    /// <summary>Every error of <paramref name="instance"/> against <paramref name="schema"/>; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement instance)
    {
        // JsonSchema.Net throws on these instead of failing them; they are refused before it sees them.
        var unreadable = Unreadable(instance);
        if (unreadable.Count > 0)
        {
            return unreadable;
        }

        var results = Schemas.GetOrAdd(schema.GetRawText(), CompiledSchema.Parse).Evaluate(instance);
        var failures = new List<Failure>();
        CodePointLengths(schema, instance, JsonPointer.Empty, instance, failures);
        if (results.IsValid && failures.Count == 0)
        {
            return [];
        }

        foreach (var detail in results.Details.Where(d => d.HasErrors))
        {
            var subschema = detail.EvaluationPath.Evaluate(schema);
            var value = detail.InstanceLocation.Evaluate(instance);
            if (subschema is not { } node || value is not { } at)
            {
                continue;
            }

            if (node.ValueKind == JsonValueKind.False)
            {
                failures.Add(FalseSchema(detail, instance, at));
                continue;
            }

            // As a validator that stops at a wrong type: the node's other rules say nothing more.
            var keywords = detail.Errors!.ContainsKey("type") ? ["type"] : detail.Errors!.Keys.ToList();
            foreach (var keyword in keywords)
            {
                failures.AddRange(Describe(keyword, node, at, detail.InstanceLocation, instance, detail.Errors![keyword]));
            }
        }

        // In document order of the instance, and within one value in the order the rules are listed below.
        var order = DocumentOrder(instance);
        return failures
            .OrderBy(f => order.TryGetValue(f.SortAt.ToString(), out var index) ? index : int.MaxValue)
            .ThenBy(f => f.Rank)
            .Select(f => f.Message)
            .Distinct()
            .ToList();
    }

    private sealed record Failure(JsonPointer SortAt, int Rank, string Message);

    private static Failure FalseSchema(EvaluationResults detail, JsonElement root, JsonElement value)
    {
        // additionalProperties: false fails on the extra property; the error names it at its object.
        var location = detail.InstanceLocation;
        if (detail.EvaluationPath.Count > 0 && detail.EvaluationPath[^1].SequenceEqual("additionalProperties") && location.Count > 0)
        {
            var parent = location.GetAncestor(1);
            var name = location[^1].ToString();
            return new(location, 0, $"{PathOf(parent, root)}: the property {NameOf(name)} is not allowed");
        }

        return new(location, 0, $"{PathOf(location, root)}: no value is allowed here");
    }

    private static IEnumerable<Failure> Describe(
        string keyword, JsonElement schema, JsonElement value, JsonPointer location, JsonElement root, string libraryMessage)
    {
        var path = PathOf(location, root);
        var rule = schema.TryGetProperty(keyword, out var r) ? r : default;
        Failure At(int rank, string message) => new(location, rank, $"{path}: {message}");
        switch (keyword)
        {
            case "type":
                yield return At(0, $"expected {DescribeType(rule)} but found {DescribeValue(value)}");
                break;
            case "const":
                yield return At(1, $"{Show(value)} is not the required constant {rule.GetRawText()}");
                break;
            case "enum":
                yield return At(2, $"{Show(value)} is not one of {string.Join(", ", rule.EnumerateArray().Select(c => c.GetRawText()))}");
                break;
            case "required":
                foreach (var name in rule.EnumerateArray().Select(n => n.GetString()!).Where(n => !value.TryGetProperty(n, out _)))
                {
                    yield return At(3, $"the required property '{name}' is missing");
                }

                break;
            case "minItems":
                yield return At(4, $"{value.GetArrayLength()} items are fewer than the minimum {rule.GetInt32()}");
                break;
            case "maxItems":
                yield return At(5, $"{value.GetArrayLength()} items are more than the maximum {rule.GetInt32()}");
                break;
            case "minLength":
                yield return At(6, $"a string of {Length(value)} characters is shorter than the minimum length {rule.GetInt32()}");
                break;
            case "maxLength":
                yield return At(7, $"a string of {Length(value)} characters is longer than the maximum length {rule.GetInt32()}");
                break;
            case "pattern":
                yield return At(8, $"the string does not match the pattern {rule.GetString()}");
                break;
            case "minimum":
                yield return At(9, $"{value.GetRawText()} is less than the minimum {rule.GetRawText()}");
                break;
            case "maximum":
                yield return At(10, $"{value.GetRawText()} is greater than the maximum {rule.GetRawText()}");
                break;
            default:
                // A keyword our prompt schemas do not use (JsonSchemaSubset keeps them out); its own words.
                yield return At(11, $"{keyword}: {libraryMessage}");
                break;
        }
    }

    /// <summary>The position of every value of the instance in document order, keyed by its JSON pointer.</summary>
    private static Dictionary<string, int> DocumentOrder(JsonElement root)
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        void Visit(JsonElement value, JsonPointer at)
        {
            order[at.ToString()] = order.Count;
            if (value.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in value.EnumerateObject())
                {
                    Visit(property.Value, at.Combine(property.Name));
                }
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Visit(item, at.Combine(index++));
                }
            }
        }

        Visit(root, JsonPointer.Empty);
        return order;
    }

    /// <summary>A JSON pointer into the instance as "$.a.b[0]".</summary>
    private static string PathOf(JsonPointer pointer, JsonElement root)
    {
        var path = new System.Text.StringBuilder("$");
        var current = root;
        for (var i = 0; i < pointer.Count; i++)
        {
            var segment = pointer[i].ToString();
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                path.Append('[').Append(index).Append(']');
                current = current[index];
            }
            else
            {
                path.Append('.').Append(segment);
                current = current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child) ? child : default;
            }
        }

        return path.ToString();
    }

    private static string DescribeType(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString()))
        : type.GetString()!;

    private static string DescribeValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => IsInteger(value) ? $"the integer {value.GetRawText()}" : $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };

    // JSON Schema counts 1.0 as an integer.
    private static bool IsInteger(JsonElement number) =>
        number.TryGetInt64(out _) || (number.TryGetDouble(out var d) && double.IsFinite(d) && Math.Floor(d) == d);

    /// <summary>Numbers, booleans and null are shown; strings from the output are not (they may echo user text).</summary>
    private static string Show(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string value",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => value.GetRawText(),
        _ => DescribeValue(value),
    };

    // Unicode code points, as JSON Schema defines a string's length and PostgreSQL's length() counts it.
    // JsonSchema.Net counts text elements, so one letter with a thousand combining marks would be 1.
    private static int Length(JsonElement value) => value.GetString()!.EnumerateRunes().Count();

    /// <summary>
    /// maxLength in code points where JsonSchema.Net (text elements) lets a longer string through; it follows
    /// <c>properties</c> and <c>items</c>, the only ways into a value that <see cref="JsonSchemaSubset"/> allows.
    /// </summary>
    private static void CodePointLengths(JsonElement schema, JsonElement value, JsonPointer at, JsonElement root, List<Failure> failures)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String when schema.TryGetProperty("maxLength", out var max) && Length(value) > max.GetInt32():
                failures.Add(new(at, 7, $"{PathOf(at, root)}: a string of {Length(value)} characters is longer than the maximum length {max.GetInt32()}"));
                break;
            case JsonValueKind.Object when schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (properties.TryGetProperty(property.Name, out var propertySchema))
                    {
                        CodePointLengths(propertySchema, property.Value, at.Combine(property.Name), root, failures);
                    }
                }

                break;
            case JsonValueKind.Array when schema.TryGetProperty("items", out var items):
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CodePointLengths(items, item, at.Combine(index++), root, failures);
                }

                break;
        }
    }

    /// <summary>
    /// Values JsonSchema.Net throws on or misreads rather than fails: numbers beyond <see cref="decimal"/> (it reads
    /// every number as one), numbers too small for it, strings and names that are not valid UTF-16 (an escaped lone surrogate), and a
    /// name given twice (which one would count?). At most a few are reported.
    /// </summary>
    private static List<string> Unreadable(JsonElement root)
    {
        const int Max = 5;
        var errors = new List<string>();
        void Visit(JsonElement value, string path)
        {
            if (errors.Count >= Max)
            {
                return;
            }

            switch (value.ValueKind)
            {
                // Also a number too small for decimal: JsonSchema.Net would compare it as 0 (so -1e-31 passes
                // "minimum: 0") while the record reads the double.
                case JsonValueKind.Number when !value.TryGetDecimal(out var exact) || (exact == 0 && value.TryGetDouble(out var close) && close != 0):
                    errors.Add($"{path}: the number is out of range");
                    break;
                case JsonValueKind.String when !IsValidText(value):
                    errors.Add($"{path}: the string is not valid Unicode text");
                    break;
                case JsonValueKind.Object:
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var property in value.EnumerateObject())
                    {
                        if (!TryName(property, out var name))
                        {
                            errors.Add($"{path}: a property name is not valid Unicode text");
                        }
                        else if (!names.Add(name))
                        {
                            errors.Add($"{path}: the property {NameOf(name)} appears more than once");
                        }
                        else
                        {
                            Visit(property.Value, $"{path}.{(IsIdentifier(name) ? name : "?")}");
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        Visit(item, $"{path}[{index++}]");
                    }

                    break;
            }
        }

        Visit(root, "$");
        return errors;
    }

    private static bool IsValidText(JsonElement value)
    {
        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryName(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }

    /// <summary>A property name from the output, quoted only when it is a short identifier: anything else may be user text or markup.</summary>
    private static string NameOf(string name) => IsIdentifier(name) ? $"'{name}'" : "with a name that is not an identifier";

    private static bool IsIdentifier(string name) => name.Length is > 0 and <= 40 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
