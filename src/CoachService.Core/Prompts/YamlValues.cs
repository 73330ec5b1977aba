using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CoachService.Prompts;

/// <summary>
/// Turns YAML nodes into plain values and JSON, resolving plain scalars the way YAML 1.2's core
/// schema does (null, booleans, integers, floats) and keeping quoted scalars as strings.
/// </summary>
internal static partial class YamlValues
{
    /// <summary>The 1-based line of a node inside the YAML text.</summary>
    public static int LineOf(YamlNode node) => (int)node.Start.Line;

    public static object? ToValue(YamlNode node) => node switch
    {
        YamlScalarNode scalar => Resolve(scalar),
        YamlSequenceNode sequence => sequence.Children.Select(ToValue).ToList(),
        YamlMappingNode mapping => mapping.Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value ?? string.Empty, pair => ToValue(pair.Value)),
        _ => null,
    };

    /// <summary>Converts to JSON and records the YAML line of every JSON path, so schema problems can name a line.</summary>
    public static JsonNode? ToJson(YamlNode node, string path, Dictionary<string, int> lines)
    {
        lines[path] = LineOf(node);
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? string.Empty;
                    obj[name] = ToJson(value, $"{path}.{name}", lines);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var index = 0;
                foreach (var child in sequence.Children)
                {
                    array.Add(ToJson(child, $"{path}[{index++}]", lines));
                }

                return array;
            case YamlScalarNode scalar:
                return Resolve(scalar) switch
                {
                    null => null,
                    bool b => JsonValue.Create(b),
                    long l => JsonValue.Create(l),
                    double d => JsonValue.Create(d),
                    var other => JsonValue.Create((string)other),
                };
            default:
                return null;
        }
    }

    private static object? Resolve(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return text;
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return true;
        }

        if (text is "false" or "False" or "FALSE")
        {
            return false;
        }

        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return text;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
