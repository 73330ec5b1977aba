using System.Text.Json;
using System.Text.RegularExpressions;

namespace CoachService.Json;

/// <summary>
/// A small JSON-schema validator for the subset our structured outputs use: type (a name or an
/// array of names, including "null"), properties, required, additionalProperties, enum, const,
/// minimum/maximum, minLength/maxLength (Unicode code points), pattern, minItems/maxItems, items.
/// Error messages name the JSON path and never quote string values, so they can be logged and
/// put into exceptions without leaking user text that a model may have echoed.
/// </summary>
public static class JsonSchemaValidator
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Every error of <paramref name="instance"/> against <paramref name="schema"/>; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement instance)
    {
        var errors = new List<string>();
        ValidateNode(schema, instance, "$", errors);
        return errors;
    }

    private static void ValidateNode(JsonElement schema, JsonElement instance, string path, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: no value is allowed here");
            return;
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(type, instance))
        {
            errors.Add($"{path}: expected {DescribeType(type)} but found {Describe(instance)}");
            return;
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, instance))
        {
            errors.Add($"{path}: {Show(instance)} is not the required constant {constant.GetRawText()}");
        }

        if (schema.TryGetProperty("enum", out var allowed)
            && !allowed.EnumerateArray().Any(candidate => JsonElement.DeepEquals(candidate, instance)))
        {
            var choices = string.Join(", ", allowed.EnumerateArray().Select(c => c.GetRawText()));
            errors.Add($"{path}: {Show(instance)} is not one of {choices}");
        }

        switch (instance.ValueKind)
        {
            case JsonValueKind.Object:
                ValidateObject(schema, instance, path, errors);
                break;
            case JsonValueKind.Array:
                ValidateArray(schema, instance, path, errors);
                break;
            case JsonValueKind.String:
                ValidateString(schema, instance.GetString()!, path, errors);
                break;
            case JsonValueKind.Number:
                ValidateNumber(schema, instance, path, errors);
                break;
        }
    }

    private static void ValidateObject(JsonElement schema, JsonElement instance, string path, List<string> errors)
    {
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(n => n.GetString()!))
            {
                if (!instance.TryGetProperty(name, out _))
                {
                    errors.Add($"{path}: the required property '{name}' is missing");
                }
            }
        }

        var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : (JsonElement?)null;
        foreach (var property in instance.EnumerateObject())
        {
            var childPath = $"{path}.{property.Name}";
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                ValidateNode(propertySchema, property.Value, childPath, errors);
            }
            else if (additional is { ValueKind: JsonValueKind.False })
            {
                // Property names come from the model's output; they are short identifiers, not user text.
                errors.Add($"{path}: the property '{Truncate(property.Name, 40)}' is not allowed");
            }
            else if (additional is { ValueKind: JsonValueKind.Object } additionalSchema)
            {
                ValidateNode(additionalSchema, property.Value, childPath, errors);
            }
        }
    }

    private static void ValidateArray(JsonElement schema, JsonElement instance, string path, List<string> errors)
    {
        var count = instance.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var minItems) && count < minItems.GetInt32())
        {
            errors.Add($"{path}: {count} items are fewer than the minimum {minItems.GetInt32()}");
        }

        if (schema.TryGetProperty("maxItems", out var maxItems) && count > maxItems.GetInt32())
        {
            errors.Add($"{path}: {count} items are more than the maximum {maxItems.GetInt32()}");
        }

        if (schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                ValidateNode(items, item, $"{path}[{index}]", errors);
                index++;
            }
        }
    }

    private static void ValidateString(JsonElement schema, string value, string path, List<string> errors)
    {
        var length = CountCodePoints(value);
        if (schema.TryGetProperty("minLength", out var minLength) && length < minLength.GetInt32())
        {
            errors.Add($"{path}: a string of {length} characters is shorter than the minimum length {minLength.GetInt32()}");
        }

        if (schema.TryGetProperty("maxLength", out var maxLength) && length > maxLength.GetInt32())
        {
            errors.Add($"{path}: a string of {length} characters is longer than the maximum length {maxLength.GetInt32()}");
        }

        if (schema.TryGetProperty("pattern", out var pattern))
        {
            bool matches;
            try
            {
                matches = Regex.IsMatch(value, pattern.GetString()!, RegexOptions.CultureInvariant, PatternTimeout);
            }
            catch (RegexMatchTimeoutException)
            {
                matches = false;
            }

            if (!matches)
            {
                errors.Add($"{path}: the string does not match the pattern {pattern.GetString()}");
            }
        }
    }

    private static void ValidateNumber(JsonElement schema, JsonElement instance, string path, List<string> errors)
    {
        var value = instance.GetDouble();
        if (schema.TryGetProperty("minimum", out var minimum) && value < minimum.GetDouble())
        {
            errors.Add($"{path}: {instance.GetRawText()} is less than the minimum {minimum.GetRawText()}");
        }

        if (schema.TryGetProperty("maximum", out var maximum) && value > maximum.GetDouble())
        {
            errors.Add($"{path}: {instance.GetRawText()} is greater than the maximum {maximum.GetRawText()}");
        }
    }

    private static bool MatchesType(JsonElement type, JsonElement instance) => type.ValueKind == JsonValueKind.Array
        ? type.EnumerateArray().Any(t => MatchesTypeName(t.GetString()!, instance))
        : MatchesTypeName(type.GetString()!, instance);

    private static bool MatchesTypeName(string type, JsonElement instance) => type switch
    {
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => instance.ValueKind == JsonValueKind.Number && IsInteger(instance),
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => instance.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    // JSON Schema counts 1.0 as an integer.
    private static bool IsInteger(JsonElement number) =>
        number.TryGetInt64(out _) || (number.TryGetDouble(out var d) && double.IsFinite(d) && Math.Floor(d) == d);

    private static string DescribeType(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString()))
        : type.GetString()!;

    private static string Describe(JsonElement instance) => instance.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => IsInteger(instance) ? $"the integer {instance.GetRawText()}" : $"the number {instance.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => instance.ValueKind.ToString(),
    };

    /// <summary>Numbers, booleans and null are shown; strings from the output are not (they may echo user text).</summary>
    private static string Show(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string value",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => value.GetRawText(),
        _ => Describe(value),
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static int CountCodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
