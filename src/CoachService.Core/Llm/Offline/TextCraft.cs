using System.Text;
using System.Text.RegularExpressions;

namespace CoachService.Llm.Offline;

/// <summary>Small text tools shared by the offline writers: stable choice, length limits, pronoun swaps.</summary>
internal static partial class TextCraft
{
    /// <summary>
    /// FNV-1a over UTF-8. string.GetHashCode is randomised per process, and the engine must
    /// answer the same input with the same words on every run.
    /// </summary>
    public static uint StableHash(params string?[] parts)
    {
        var hash = 2166136261u;
        foreach (var part in parts)
        {
            foreach (var b in Encoding.UTF8.GetBytes(part ?? string.Empty))
            {
                hash = (hash ^ b) * 16777619u;
            }

            hash = (hash ^ 0x1F) * 16777619u;
        }

        return hash;
    }

    public static T Pick<T>(IReadOnlyList<T> options, uint seed, int salt = 0)
        => options[(int)((seed + (uint)salt * 2654435761u) % (uint)options.Count)];

    /// <summary>Cuts to at most <paramref name="max"/> characters, at a word boundary when one is near.</summary>
    public static string Truncate(string text, int max)
    {
        text = text.Trim();
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text[..(max - 1)];
        var space = cut.LastIndexOf(' ');
        if (space > max / 2)
        {
            cut = cut[..space];
        }

        return cut.TrimEnd(' ', ',', ';', ':', '.') + "\u2026";
    }

    /// <summary>Keeps at most <paramref name="maxWords"/> words.</summary>
    public static string FirstWords(string text, int maxWords)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words.Take(maxWords));
    }

    public static string Capitalize(string text)
        => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public static string LowerFirst(string text)
        => text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    /// <summary>Turns the user's own words into the coach's reflection: "I'm worried about my job" becomes "you're worried about your job".</summary>
    public static string ToSecondPerson(string lowerCaseWords)
    {
        var words = lowerCaseWords.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = new List<string>(words.Length);
        for (var i = 0; i < words.Length; i++)
        {
            var previous = i > 0 ? words[i - 1] : string.Empty;
            result.Add(words[i] switch
            {
                "i" => "you",
                "i'm" or "im" => "you're",
                "i've" or "ive" => "you've",
                "i'll" => "you'll",
                "i'd" => "you'd",
                "me" => "you",
                "my" => "your",
                "mine" => "yours",
                "myself" => "yourself",
                "am" => "are",
                "was" when previous == "i" => "were",
                "we" => "you",
                "our" => "your",
                "us" => "you",
                "you" => "me",
                "your" => "my",
                "you're" => "I'm",
                _ => words[i],
            });
        }

        return string.Join(' ', result);
    }

    /// <summary>Removes anything that would read as markdown or markup when spoken.</summary>
    public static string Plain(string text) => MarkupCharacters().Replace(text, string.Empty);

    public static int ApproximateTokens(string text)
        => Math.Max(1, (int)Math.Ceiling(TokenLike().Count(text) * 4 / 3.0));

    /// <summary>"a", "b" and "c".</summary>
    public static string JoinNaturally(IReadOnlyList<string> items) => items.Count switch
    {
        0 => string.Empty,
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    public static string Quoted(IEnumerable<string> words) => JoinNaturally([.. words.Select(word => "\"" + word + "\"")]);

    [GeneratedRegex(@"[*_#`>\[\]{}|~<]")]
    private static partial Regex MarkupCharacters();

    [GeneratedRegex(@"\w+|[^\w\s]")]
    private static partial Regex TokenLike();
}
