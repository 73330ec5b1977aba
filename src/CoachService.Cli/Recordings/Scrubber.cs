using System.Text.Json;
using System.Text.RegularExpressions;

namespace CoachService.Cli.Recordings;

/// <summary>
/// Replaces personal data in recordings (e-mail addresses, phone numbers, the names the user gave) with
/// stand-ins, the same stand-in for the same value everywhere, so the conversation still reads naturally.
/// One scrubber is shared by all recordings of a run, so a user's name is the same stand-in in each.
/// </summary>
public sealed partial class Scrubber
{
    private static readonly string[] StandInNames = ["Alex", "Jordan", "Robin", "Casey", "Morgan", "Riley", "Quinn", "Avery", "Jamie", "Drew"];

    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _emails = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _phones = new(StringComparer.Ordinal);

    public ConversationRecording Scrub(ConversationRecording recording)
    {
        // Learn the names first, so a name said in turn 5 is replaced in turn 1 too.
        LearnName(recording.User.Name);
        foreach (var turn in recording.Turns)
        {
            foreach (Match match in NameGiven().Matches(turn.User))
            {
                LearnName(match.Groups["name"].Value);
            }
        }

        return recording with
        {
            Source = recording.Source is { } source ? source with { Scrubbed = true } : new RecordingSource(null, true),
            Title = recording.Title is null ? null : Text(recording.Title),
            User = recording.User with
            {
                Name = Text(recording.User.Name),
                ActiveGoals = [.. recording.User.ActiveGoals.Select(Text)],
                RecentInsights = [.. recording.User.RecentInsights.Select(Text)],
            },
            Turns = [.. recording.Turns.Select(t => t with
            {
                User = Text(t.User),
                Reply = Text(t.Reply),
                Heard = t.Heard is null ? null : Text(t.Heard),
                Snapshot = Json(t.Snapshot),
                Safety = Json(t.Safety),
                Assessment = Json(t.Assessment),
                Summary = Json(t.Summary),
                Goals = Json(t.Goals),
                ToolCalls = [.. t.ToolCalls.Select(c => c with { Arguments = Json(c.Arguments) })],
            })],
        };
    }

    public string Text(string text)
    {
        text = Email().Replace(text, m => StandIn(_emails, m.Value, n => $"person{n}@example.com"));
        text = Phone().Replace(text, m => StandIn(_phones, Digits(m.Value), n => $"+1 555 01{n:00}"));
        foreach (var (name, standIn) in _names.OrderByDescending(p => p.Key.Length))
        {
            text = Regex.Replace(text, $@"\b{Regex.Escape(name)}\b", standIn, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }

        return text;
    }

    private JsonElement? Json(JsonElement? element) =>
        element is { } value ? JsonSerializer.Deserialize<JsonElement>(Text(value.GetRawText())) : null;

    private void LearnName(string? name)
    {
        foreach (var part in (name ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Length >= 2 && char.IsUpper(part[0]) && !StandInNames.Contains(part, StringComparer.OrdinalIgnoreCase))
            {
                StandIn(_names, part, n => StandInNames[(n - 1) % StandInNames.Length] + (n > StandInNames.Length ? (n / StandInNames.Length).ToString() : ""));
            }
        }
    }

    private static string StandIn(Dictionary<string, string> map, string value, Func<int, string> make)
    {
        if (!map.TryGetValue(value, out var standIn))
        {
            standIn = make(map.Count + 1);
            map[value] = standIn;
        }

        return standIn;
    }

    private static string Digits(string phone) => new([.. phone.Where(char.IsAsciiDigit)]);

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    // Seven or more digits with the usual separators, optionally an international prefix.
    [GeneratedRegex(@"(?<!\w)\+?\d[\d\s().-]{5,}\d(?!\w)")]
    private static partial Regex Phone();

    // "my name is Ana", "call me Ana", "I'm Ana", "my wife Ana", "me chamo Ana", "meu nome é Ana", "minha irmã Ana".
    [GeneratedRegex(@"(?:\bmy name is|\bcall me|\bI'm|\bI am|\bme chamo|\bmeu nome é|\bsou a|\bsou o|\bmy (?:wife|husband|partner|boss|manager|friend|sister|brother|mom|mum|dad|son|daughter|colleague)|\bminha (?:esposa|irmã|mãe|filha|chefe|amiga)|\bmeu (?:marido|irmão|pai|filho|chefe|amigo))\s+(?<name>\p{Lu}\p{Ll}[\p{L}'-]*)", RegexOptions.CultureInvariant)]
    private static partial Regex NameGiven();
}
