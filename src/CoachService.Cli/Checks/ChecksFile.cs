using System.Globalization;
using CoachService.Cli.Recordings;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CoachService.Cli.Checks;

/// <summary>One check as the checks file names it: its name, its settings and where it was written.</summary>
/// <param name="File">The checks file.</param>
/// <param name="Where">The check's place in it, e.g. <c>conversations.x.turns.2[0]</c>.</param>
public sealed record CheckSpec(string Name, IReadOnlyDictionary<string, YamlNode> Settings, string File, string Where)
{
    public int Int(string key, int fallback) => Settings.TryGetValue(key, out var node) ? ChecksFile.ScalarInt(node, File, $"{Where}.{Name}.{key}") : fallback;

    public double Double(string key, double fallback) => Settings.TryGetValue(key, out var node) ? ChecksFile.ScalarDouble(node, File, $"{Where}.{Name}.{key}") : fallback;

    public string? String(string key) => Settings.TryGetValue(key, out var node) && node is YamlScalarNode s ? s.Value : null;

    public IReadOnlyList<string> Strings(string key) => Settings.TryGetValue(key, out var node) && node is YamlSequenceNode list
        ? [.. list.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")]
        : [];
}

/// <summary>
/// The checks file (YAML, or JSON, which YAML reads too): which checks run for the whole suite, for one
/// conversation and for one turn. A check at a narrower level replaces the same check from a wider one.
/// Documented in docs/recordings.md.
/// </summary>
public sealed class ChecksFile
{
    public const int CurrentSchemaVersion = 1;

    private readonly List<CheckSpec> _suite = [];
    private readonly Dictionary<string, List<CheckSpec>> _conversations = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), List<CheckSpec>> _turns = [];

    private ChecksFile(string path) => Path = path;

    /// <summary>The file, or "(default)" for the built-in suite.</summary>
    public string Path { get; }

    public string Folder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) ?? ".";

    /// <summary>Without a checks file: every structured output must pass its schema.</summary>
    public static ChecksFile Default()
    {
        var file = new ChecksFile("(default)");
        file._suite.Add(new CheckSpec(CheckNames.SchemaValid, new Dictionary<string, YamlNode>(), "(default)", "suite[0]"));
        return file;
    }

    public IEnumerable<string> ConversationIds => _conversations.Keys.Concat(_turns.Keys.Select(k => k.Item1)).Distinct();

    /// <summary>The checks of one turn: the suite's, then the conversation's, then the turn's.</summary>
    public IReadOnlyList<CheckSpec> For(string conversation, int turn)
    {
        var chosen = new Dictionary<string, CheckSpec>(StringComparer.Ordinal);
        foreach (var spec in _suite
                     .Concat(_conversations.GetValueOrDefault(conversation) ?? [])
                     .Concat(_turns.GetValueOrDefault((conversation, turn)) ?? []))
        {
            chosen[spec.Name] = spec;
        }

        return [.. chosen.Values];
    }

    /// <summary>The first turn from which an onboarding's profile is scored after every turn, when a profile_stable check asks for it.</summary>
    public int? ScoreFromTurn(string conversation, int turns) =>
        Enumerable.Range(1, turns).SelectMany(t => For(conversation, t)).Where(c => c.Name == CheckNames.ProfileStable)
            .Select(c => (int?)c.Int("afterTurn", 1)).Min();

    public static ChecksFile Load(string path)
    {
        var file = new ChecksFile(path);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(path);
            stream.Load(reader);
            root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode
                ?? throw new InputFileException(path, "$", "a mapping with schemaVersion, suite and conversations");
        }
        catch (YamlException e)
        {
            throw new InputFileException(path, "$", $"valid YAML or JSON ({e.Message})", e.Start.Line);
        }
        catch (IOException e)
        {
            throw new InputFileException(path, "", $"a readable checks file ({e.Message})");
        }

        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value;
            switch (key)
            {
                case "schemaVersion":
                    if (ScalarInt(value, path, "schemaVersion") != CurrentSchemaVersion)
                    {
                        throw new InputFileException(path, "schemaVersion", $"{CurrentSchemaVersion}", value.Start.Line);
                    }

                    break;
                case "suite":
                    file._suite.AddRange(Specs(path, "suite", value));
                    break;
                case "conversations":
                    ReadConversations(file, path, value);
                    break;
                default:
                    throw new InputFileException(path, key ?? "?", "one of schemaVersion, suite, conversations", keyNode.Start.Line);
            }
        }

        return file;
    }

    private static void ReadConversations(ChecksFile file, string path, YamlNode value)
    {
        if (value is not YamlMappingNode conversations)
        {
            throw new InputFileException(path, "conversations", "a mapping from conversation id to its checks", value.Start.Line);
        }

        foreach (var (idNode, body) in conversations.Children)
        {
            var id = ((YamlScalarNode)idNode).Value ?? "";
            var at = $"conversations.{id}";
            if (body is not YamlMappingNode parts)
            {
                throw new InputFileException(path, at, "a mapping with checks and/or turns", body.Start.Line);
            }

            foreach (var (partNode, part) in parts.Children)
            {
                switch (((YamlScalarNode)partNode).Value)
                {
                    case "checks":
                        file._conversations[id] = [.. Specs(path, $"{at}.checks", part)];
                        break;
                    case "turns" when part is YamlMappingNode turns:
                        foreach (var (turnNode, turnChecks) in turns.Children)
                        {
                            var turn = ScalarInt(turnNode, path, $"{at}.turns");
                            if (turn < 1)
                            {
                                throw new InputFileException(path, $"{at}.turns", "turn numbers from 1", turnNode.Start.Line);
                            }

                            file._turns[(id, turn)] = [.. Specs(path, $"{at}.turns.{turn}", turnChecks)];
                        }

                        break;
                    default:
                        throw new InputFileException(path, $"{at}.{((YamlScalarNode)partNode).Value}",
                            "checks (a list) or turns (a mapping from turn number to a list)", partNode.Start.Line);
                }
            }
        }
    }

    private static IEnumerable<CheckSpec> Specs(string path, string at, YamlNode node)
    {
        if (node is not YamlSequenceNode list)
        {
            throw new InputFileException(path, at, "a list of checks", node.Start.Line);
        }

        var index = 0;
        foreach (var item in list.Children)
        {
            var where = $"{at}[{index++}]";
            var (name, settings) = item switch
            {
                YamlScalarNode scalar => (scalar.Value ?? "", new Dictionary<string, YamlNode>()),
                YamlMappingNode { Children.Count: 1 } single when single.Children.First() is var (k, v) && k is YamlScalarNode key =>
                    (key.Value ?? "", v switch
                    {
                        YamlMappingNode map => map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? "", p => p.Value),
                        YamlScalarNode { Value: null or "" } => new Dictionary<string, YamlNode>(),
                        _ => throw new InputFileException(path, $"{where}.{key.Value}", "a mapping of settings", v.Start.Line),
                    }),
                _ => throw new InputFileException(path, where, "a check name, or one check name mapped to its settings", item.Start.Line),
            };
            if (!CheckNames.All.Contains(name))
            {
                throw new InputFileException(path, where, $"a check name: one of {string.Join(", ", CheckNames.All)} (got '{name}')", item.Start.Line);
            }

            var spec = new CheckSpec(name, settings, path, where);
            CheckNames.Validate(spec, path, where, item.Start.Line);
            yield return spec;
        }
    }

    internal static int ScalarInt(YamlNode node, string where, string key) =>
        node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InputFileException(where, key, "a whole number", node.Start.Line);

    internal static double ScalarDouble(YamlNode node, string where, string key) =>
        node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InputFileException(where, key, "a number", node.Start.Line);
}
