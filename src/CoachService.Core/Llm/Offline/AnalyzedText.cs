using System.Text.RegularExpressions;

namespace CoachService.Llm.Offline;

/// <summary>Where a lexicon phrase was found, and whether a nearby word negates it ("not happy").</summary>
internal readonly record struct PhraseHit(int Clause, int Start, int Length, bool Negated, bool Intensified, bool Softened);

/// <summary>
/// A text split into clauses of lower-case words: the one shape every offline detector
/// matches its phrases against. Clauses end at punctuation and at "but", so a negation
/// never reaches across "I'm not sad, but I'm tired".
/// </summary>
internal sealed partial class AnalyzedText
{
    private static readonly HashSet<string> Negators =
    [
        "not", "no", "never", "dont", "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "weren't",
        "can't", "cannot", "won't", "wouldn't", "shouldn't", "hardly", "barely", "nothing", "nobody", "neither",
        "nor", "without", "ain't", "haven't", "hasn't", "n't",
    ];

    private static readonly HashSet<string> Intensifiers =
    [
        "very", "so", "really", "extremely", "super", "totally", "completely", "incredibly", "terribly", "awfully",
        "deeply", "too", "absolutely", "utterly", "seriously", "insanely", "crazy", "hugely", "truly", "massively",
    ];

    private static readonly string[] Softeners = ["a bit", "a little", "slightly", "somewhat", "kind of", "kinda", "sort of", "mildly", "a tad", "a touch"];

    private AnalyzedText(string original, IReadOnlyList<IReadOnlyList<string>> writtenClauses)
    {
        Original = original;
        WrittenClauses = writtenClauses;
        Clauses = [.. writtenClauses.Select(clause => (IReadOnlyList<string>)[.. clause.Select(word => word.ToLowerInvariant())])];
        Words = [.. Clauses.SelectMany(clause => clause)];
    }

    public string Original { get; }

    /// <summary>The clauses in lower case, for matching.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Clauses { get; }

    /// <summary>The same clauses as the user wrote them, for quoting back ("Spanish", not "spanish").</summary>
    public IReadOnlyList<IReadOnlyList<string>> WrittenClauses { get; }

    public IReadOnlyList<string> Words { get; }

    public int WordCount => Words.Count;

    public int ExclamationCount => Original.Count(c => c == '!');

    public int QuestionCount => Original.Count(c => c == '?');

    /// <summary>Shouted words (all capitals, three letters or more) signal intensity in chat text.</summary>
    public int ShoutedWordCount => ShoutedWord().Count(Original);

    /// <summary>Stretched words like "sooo" or "nooo" signal intensity too.</summary>
    public int StretchedWordCount => StretchedWord().Count(Original);

    public static AnalyzedText Of(string? text)
    {
        var original = text ?? string.Empty;
        var normalised = original.Replace('\u2019', '\'').Replace('\u2018', '\'');
        var clauses = ClauseBreak().Split(normalised)
            .Select(clause => (IReadOnlyList<string>)[.. WordPattern().Matches(clause).Select(match => match.Value)])
            .Where(words => words.Count > 0)
            .ToList();
        return new AnalyzedText(original, clauses);
    }

    /// <summary>
    /// Finds a phrase of space-separated words; a word ending in '*' matches any word starting
    /// with the rest ("worr*" matches worry, worried, worrying).
    /// </summary>
    public IEnumerable<PhraseHit> Find(string phrase)
    {
        var parts = phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var c = 0; c < Clauses.Count; c++)
        {
            var clause = Clauses[c];
            for (var start = 0; start + parts.Length <= clause.Count; start++)
            {
                if (Matches(clause, start, parts))
                {
                    yield return new PhraseHit(c, start, parts.Length, IsNegated(clause, start), IsIntensified(clause, start), IsSoftened(clause, start));
                }
            }
        }
    }

    public int Count(string phrase, bool includeNegated = false) => Find(phrase).Count(hit => includeNegated || !hit.Negated);

    public bool Contains(string phrase) => Find(phrase).Any(hit => !hit.Negated);

    /// <summary>The clause as written words (lower case), for reflecting it back to the user.</summary>
    public string ClauseText(int clause) => string.Join(' ', Clauses[clause]);

    private static bool Matches(IReadOnlyList<string> clause, int start, string[] parts)
    {
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var word = clause[start + i];
            var isMatch = part.EndsWith('*') ? word.StartsWith(part[..^1], StringComparison.Ordinal) : word == part;
            if (!isMatch)
            {
                return false;
            }
        }

        return true;
    }

    // A negator up to three words before counts ("not really happy", "never felt so calm"),
    // except when the words between turn it into something else ("can't stop worrying",
    // "don't know if I'm happy", "no longer hopeful" keeps the emotion's opposite honest).
    private static bool IsNegated(IReadOnlyList<string> clause, int start)
    {
        for (var i = Math.Max(0, start - 3); i < start; i++)
        {
            if (!Negators.Contains(clause[i]) && !clause[i].EndsWith("n't", StringComparison.Ordinal))
            {
                continue;
            }

            var between = clause.Skip(i + 1).Take(start - i - 1);
            if (!between.Any(word => word is "stop" or "know" or "sure" or "if" or "whether" or "help" or "longer"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsIntensified(IReadOnlyList<string> clause, int start)
        => Enumerable.Range(Math.Max(0, start - 2), Math.Min(2, start)).Any(i => Intensifiers.Contains(clause[i]));

    private static bool IsSoftened(IReadOnlyList<string> clause, int start)
    {
        var before = " " + string.Join(' ', clause.Skip(Math.Max(0, start - 3)).Take(Math.Min(3, start))) + " ";
        return Softeners.Any(softener => before.Contains(" " + softener + " ", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"[.!?;:,\n\r]+|\bbut\b|\bhowever\b", RegexOptions.IgnoreCase)]
    private static partial Regex ClauseBreak();

    [GeneratedRegex(@"[a-z0-9]+(?:'[a-z]+)?", RegexOptions.IgnoreCase)]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\b[A-Z]{3,}\b")]
    private static partial Regex ShoutedWord();

    [GeneratedRegex(@"\b\w*([a-zA-Z])\1\1\w*\b")]
    private static partial Regex StretchedWord();
}
