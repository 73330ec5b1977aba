using System.Text.Json;
using System.Text.RegularExpressions;

namespace CoachService.Json;

/// <summary>One problem of a schema, at a JSON path inside the schema document.</summary>
public sealed record JsonSchemaProblem(string Path, string Reason);

/// <summary>
/// Checks that a prompt's output schema only uses the keywords providers accept in strict structured
/// outputs and <see cref="JsonSchemaValidator"/> words errors for, with the right value types, so a
/// typo such as <c>maxLenght</c> fails at start-up instead of silently not validating (JSON Schema
/// ignores unknown keywords, and so does JsonSchema.Net). In strict mode (what OpenAI structured
/// outputs require, and what our records need) every object also sets
/// <c>additionalProperties: false</c> and lists every property in <c>required</c>; JsonSchema.Net
/// has no such profile, so this check stays ours.
/// </summary>
public static class JsonSchemaSubset
{
    private static readonly HashSet<string> TypeNames = ["object", "array", "string", "number", "integer", "boolean", "null"];

    private static readonly HashSet<string> Keywords =
    [
        "type", "properties", "required", "additionalProperties", "enum", "const", "minimum", "maximum",
        "minLength", "maxLength", "pattern", "minItems", "maxItems", "items", "description", "title",
    ];

    public static IReadOnlyList<JsonSchemaProblem> Check(JsonElement schema, bool strict)
    {
        var problems = new List<JsonSchemaProblem>();
        CheckNode(schema, "$", strict, problems);
        return problems;
    }

    private static void CheckNode(JsonElement schema, string path, bool strict, List<JsonSchemaProblem> problems)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(path, "a schema must be an object"));
            return;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var at = $"{path}.{keyword.Name}";
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    CheckType(value, at, problems);
                    break;
                case "properties":
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        problems.Add(new(at, "'properties' must be an object of schemas"));
                        break;
                    }

                    foreach (var property in value.EnumerateObject())
                    {
                        CheckNode(property.Value, $"{at}.{property.Name}", strict, problems);
                    }

                    break;
                case "required":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String))
                    {
                        problems.Add(new(at, "'required' must be an array of property names"));
                    }

                    break;
                case "additionalProperties":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        problems.Add(new(at, "'additionalProperties' must be true or false"));
                    }

                    break;
                case "enum":
                    if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                    {
                        problems.Add(new(at, "'enum' must be a non-empty array"));
                    }

                    break;
                case "minimum" or "maximum":
                    if (value.ValueKind != JsonValueKind.Number)
                    {
                        problems.Add(new(at, $"'{keyword.Name}' must be a number"));
                    }

                    break;
                case "minLength" or "maxLength" or "minItems" or "maxItems":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) || n < 0)
                    {
                        problems.Add(new(at, $"'{keyword.Name}' must be a non-negative integer"));
                    }

                    break;
                case "pattern":
                    CheckPattern(value, at, problems);
                    break;
                case "items":
                    CheckNode(value, at, strict, problems);
                    break;
                case "description" or "title":
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        problems.Add(new(at, $"'{keyword.Name}' must be a string"));
                    }

                    break;
                case "const":
                    break;
                default:
                    problems.Add(new(at, $"unknown or unsupported keyword '{keyword.Name}' (supported: {string.Join(", ", Keywords)})"));
                    break;
            }
        }

        CheckRanges(schema, path, "minimum", "maximum", problems);
        CheckRanges(schema, path, "minLength", "maxLength", problems);
        CheckRanges(schema, path, "minItems", "maxItems", problems);
        CheckRequiredNamesExist(schema, path, problems);
        if (strict)
        {
            CheckStrictObject(schema, path, problems);
        }
    }

    private static void CheckType(JsonElement value, string at, List<JsonSchemaProblem> problems)
    {
        var names = value.ValueKind switch
        {
            JsonValueKind.String => [value],
            JsonValueKind.Array when value.GetArrayLength() > 0 => value.EnumerateArray().ToArray(),
            _ => null,
        };
        if (names is null)
        {
            problems.Add(new(at, "'type' must be a type name or a non-empty array of type names"));
            return;
        }

        foreach (var name in names)
        {
            if (name.ValueKind != JsonValueKind.String || !TypeNames.Contains(name.GetString()!))
            {
                problems.Add(new(at, $"unknown type {name.GetRawText()} (use one of: {string.Join(", ", TypeNames)})"));
            }
        }
    }

    private static void CheckPattern(JsonElement value, string at, List<JsonSchemaProblem> problems)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add(new(at, "'pattern' must be a string"));
            return;
        }

        try
        {
            _ = new Regex(value.GetString()!, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            problems.Add(new(at, $"'pattern' is not a valid regular expression: {e.Message}"));
        }
    }

    private static void CheckRanges(JsonElement schema, string path, string min, string max, List<JsonSchemaProblem> problems)
    {
        if (schema.TryGetProperty(min, out var low) && schema.TryGetProperty(max, out var high)
            && low.ValueKind == JsonValueKind.Number && high.ValueKind == JsonValueKind.Number
            && low.GetDouble() > high.GetDouble())
        {
            problems.Add(new($"{path}.{min}", $"'{min}' {low.GetRawText()} is greater than '{max}' {high.GetRawText()}"));
        }
    }

    private static void CheckRequiredNamesExist(JsonElement schema, string path, List<JsonSchemaProblem> problems)
    {
        if (!schema.TryGetProperty("required", out var required) || required.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var hasProperties = schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        foreach (var name in required.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!))
        {
            if (!hasProperties || !properties.TryGetProperty(name, out _))
            {
                problems.Add(new($"{path}.required", $"'{name}' is required but not declared in 'properties'"));
            }
        }
    }

    private static void CheckStrictObject(JsonElement schema, string path, List<JsonSchemaProblem> problems)
    {
        var isObject = schema.TryGetProperty("type", out var type)
            && (type.ValueKind == JsonValueKind.String ? type.GetString() == "object"
                : type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == "object"));
        if (!isObject)
        {
            return;
        }

        if (!schema.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False)
        {
            problems.Add(new(path, "an object schema must set 'additionalProperties: false'"));
        }

        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(path, "an object schema must declare 'properties'"));
            return;
        }

        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!).ToHashSet()
            : [];
        foreach (var property in properties.EnumerateObject().Where(p => !required.Contains(p.Name)))
        {
            problems.Add(new($"{path}.properties.{property.Name}", $"property '{property.Name}' must be listed in 'required'"));
        }
    }
}
