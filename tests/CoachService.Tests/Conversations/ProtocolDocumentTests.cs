using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachService.Api.Hubs;
using CoachService.Testing;

namespace CoachService.Tests.Conversations;

/// <summary>
/// docs/PROTOCOL.md is what client authors build from: it must name every hub method and event,
/// and its JSON examples must be JSON.
/// </summary>
public sealed partial class ProtocolDocumentTests
{
    private static readonly Lazy<string> Document = new(() =>
        File.ReadAllText(Path.Combine(RepositoryFiles.Root(), "docs", "PROTOCOL.md")));

    /// <summary>The hub's methods as clients call them.</summary>
    private static string[] MethodNames() =>
        typeof(CoachHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name != nameof(CoachHub.OnDisconnectedAsync))
            .Select(m => m.Name)
            .Distinct()
            .ToArray();

    /// <summary>The events the service sends.</summary>
    private static string[] EventNames() => typeof(ICoachClient).GetMethods().Select(m => m.Name).Distinct().ToArray();

    public static TheoryData<string> HubMethods() => new(MethodNames());

    public static TheoryData<string> ClientEvents() => new(EventNames());

    [Theory]
    [MemberData(nameof(HubMethods))]
    [MemberData(nameof(ClientEvents))]
    public void Every_method_and_event_has_a_heading(string name)
    {
        Assert.Contains(name, Headings());
    }

    [Fact]
    public void The_reflection_finds_the_hub_surface()
    {
        // Guards the member data above against silently finding nothing.
        Assert.Contains(nameof(CoachHub.SendTurn), MethodNames());
        Assert.Contains(nameof(ICoachClient.ReplyChunk), EventNames());
        Assert.DoesNotContain(nameof(CoachHub.OnDisconnectedAsync), MethodNames());
    }

    [Fact]
    public void Every_json_block_parses()
    {
        var blocks = JsonBlock().Matches(Document.Value).Select(m => m.Groups["body"].Value).ToList();
        Assert.NotEmpty(blocks);
        foreach (var block in blocks)
        {
            var values = ParseSequence(block);
            Assert.True(values.Count > 0, $"empty ```json block:\n{block}");
        }
    }

    [Fact]
    public void Every_frame_target_is_a_method_or_an_event()
    {
        var known = MethodNames().Concat(EventNames()).ToHashSet(StringComparer.Ordinal);
        var targets = JsonBlock().Matches(Document.Value)
            .SelectMany(m => ParseSequence(m.Groups["body"].Value))
            .Where(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("target", out _))
            .Select(v => v.GetProperty("target").GetString()!)
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(targets);
        Assert.All(targets, target => Assert.Contains(target, known));
        Assert.All(known, name => Assert.Contains(name, targets)); // one example exchange each
    }

    /// <summary>The first word of each Markdown heading, without backticks.</summary>
    private static HashSet<string> Headings() =>
        Heading().Matches(Document.Value).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>One or more JSON values (frames) in a block; the record separator may be shown as \u001e.</summary>
    private static List<JsonElement> ParseSequence(string block)
    {
        var text = block.Replace("\\u001e", "\n", StringComparison.Ordinal).Replace('\u001e', '\n');
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true });
        var values = new List<JsonElement>();
        while (true)
        {
            try
            {
                if (!reader.Read())
                {
                    break;
                }

                values.Add(JsonElement.ParseValue(ref reader));
            }
            catch (JsonException e)
            {
                Assert.Fail($"a ```json block is not JSON ({e.Message}):\n{block}");
            }
        }

        return values;
    }

    [GeneratedRegex(@"^#{1,6}[ \t]+`?(?<name>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^```json[ \t]*\r?\n(?<body>.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
