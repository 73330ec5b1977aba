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
    public static string ToSecondPerson(string words) => ToSecondPerson(words.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    public static string ToSecondPerson(IReadOnlyList<string> words)
    {
        var result = new List<string>(words.Count);
        for (var i = 0; i < words.Count; i++)
        {
            var previous = i > 0 ? words[i - 1].ToLowerInvariant() : string.Empty;
            result.Add(words[i].ToLowerInvariant() switch
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
                _ => i == 0 && IsCommonStarter(words[i]) ? LowerFirst(words[i]) : words[i],
            });
        }

        return string.Join(' ', result);
    }

    // A sentence's first word is lowered in a reflection only when it is an ordinary word, so
    // "São Paulo", "Maria" or "Dr. Silva" keep their capitals in the middle of the coach's sentence.
    private static bool IsCommonStarter(string word)
    {
        var lower = word.ToLowerInvariant();
        return CommonStarters.Contains(lower) || StopWords.Contains(lower) || lower.EndsWith("ing", StringComparison.Ordinal) || lower.EndsWith("ly", StringComparison.Ordinal);
    }

    private static readonly HashSet<string> CommonStarters =
    [
        "a", "an", "it", "it's", "its", "there", "there's", "this", "that's", "these", "those", "he", "she", "they", "they're", "he's",
        "she's", "his", "her", "their", "we're", "work", "today", "yesterday", "tomorrow", "tonight", "everything", "nothing",
        "something", "someone", "everyone", "nobody", "if", "because", "maybe", "sometimes", "still", "last", "next", "now", "then",
        "since", "after", "before", "at", "on", "in", "of", "to", "no", "yes", "one", "two", "most", "much", "many", "even", "only",
        "always", "never", "things", "life", "home", "school", "money", "sleep", "running", "being",
    ];

    private static readonly HashSet<string> DanglingWords =
        ["and", "or", "but", "the", "a", "an", "to", "of", "my", "your", "with", "about", "for", "in", "on", "at", "so", "that", "because", "i", "you", "it", "is", "are", "was"];

    /// <summary>At most <paramref name="maxWords"/> words, without a dangling "and" or "your" at the end.</summary>
    public static List<string> Clip(IEnumerable<string> words, int maxWords)
    {
        var kept = words.Take(maxWords).ToList();
        while (kept.Count > 1 && DanglingWords.Contains(kept[^1].ToLowerInvariant()))
        {
            kept.RemoveAt(kept.Count - 1);
        }

        return kept;
    }

    /// <summary>Removes anything that would read as markdown or markup when spoken.</summary>
    public static string Plain(string text) => MarkupCharacters().Replace(text, string.Empty);

    private static readonly HashSet<string> StopWords =
    [
        "the", "and", "for", "with", "that", "this", "have", "has", "had", "been", "was", "were", "are", "you", "your",
        "i'm", "i've", "my", "me", "our", "but", "not", "just", "really", "very", "about", "from", "into", "more", "some",
        "what", "when", "how", "all", "get", "got", "can", "will", "would", "could", "should", "every", "each", "week", "day",
        "time", "feel", "like", "want", "need", "by",
        // Portuguese, Spanish and French function words, folded: they say nothing about a topic.
        "que", "com", "para", "uma", "uns", "umas", "por", "mas", "mais", "muito", "muita", "estou", "esta", "isso", "isto", "essa",
        "esse", "minha", "meu", "meus", "minhas", "voce", "tenho", "tem", "nao", "sim", "quando", "como", "porque", "ser", "sou",
        "foi", "ele", "ela", "eles", "dos", "das", "nos", "nas", "pelo", "pela", "tudo", "hoje", "dia", "semana", "quero",
        "los", "las", "del", "una", "pero", "muy", "estoy", "esto", "eso", "tengo", "tiene", "mis", "soy", "fue", "todo", "hoy",
        "semana", "quiero", "cuando", "porque", "sin", "algo", "mucho", "hace", "desde",
        "les", "des", "une", "pour", "avec", "dans", "sur", "pas", "plus", "suis", "est", "j'ai", "mon", "mes", "cette", "tout",
        "tres", "quand", "parce", "aujourd'hui", "jour", "semaine", "veux", "fait", "c'est", "elle", "ils", "nous", "vous",
    ];

    /// <summary>
    /// Meaningful word stems of a text ("running" and "run" share "run"), for telling whether
    /// a message is about a goal or an insight.
    /// </summary>
    public static HashSet<string> ContentStems(string text)
        => [.. AnalyzedText.Of(text).Words.Where(word => !StopWords.Contains(word) && (word.Length > 2 || word.Any(char.IsDigit))).Select(Stem)];

    public static string Stem(string word)
    {
        foreach (var suffix in new[] { "ing", "ed", "es", "s", "ly" })
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal) && word.Length - suffix.Length >= 3)
            {
                word = word[..^suffix.Length];
                break;
            }
        }

        // "runn" (from running) becomes "run".
        return word.Length > 3 && word[^1] == word[^2] && !"aeiou".Contains(word[^1]) ? word[..^1] : word;
    }

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
