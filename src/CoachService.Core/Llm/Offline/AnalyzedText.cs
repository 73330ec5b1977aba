using System.Text.RegularExpressions;
using CoachService.Safety;

namespace CoachService.Llm.Offline;

/// <summary>Where a lexicon phrase was found, and whether a nearby word negates it ("not happy").</summary>
internal readonly record struct PhraseHit(int Clause, int Start, int Length, bool Negated, bool Intensified, bool Softened);

/// <summary>
/// A text split into clauses of words: the one shape every offline detector matches its
/// phrases against. Clauses end at punctuation and at "but" ("pero", "mas"), so a negation
/// never reaches across "I'm not sad, but I'm tired"; they do not end inside "Dr. Silva",
/// "5.5 hours" or "18:00". Words keep every letter as written ("fiancée", "São Paulo"); the
/// matching form is lower case without accents, so "estresse" matches "estressé".
/// </summary>
internal sealed partial class AnalyzedText
{
    private static readonly HashSet<string> Negators =
    [
        "not", "no", "never", "dont", "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "weren't",
        "can't", "cannot", "won't", "wouldn't", "shouldn't", "hardly", "barely", "nothing", "nobody", "neither",
        "nor", "without", "ain't", "haven't", "hasn't", "n't",
        "nao", "nunca", "nem", "sem", "jamais", "jamas", "ni", "sin", "pas", "ne", "sans", "aucun", "aucune",
    ];

    private static readonly HashSet<string> Intensifiers =
    [
        "very", "so", "really", "extremely", "super", "totally", "completely", "incredibly", "terribly", "awfully",
        "deeply", "too", "absolutely", "utterly", "seriously", "insanely", "crazy", "hugely", "truly", "massively",
        "muito", "muita", "tao", "bem", "muy", "tan", "realmente", "tres", "vraiment", "trop", "tellement", "bastante",
    ];

    private static readonly string[] Softeners = ["a bit", "a little", "slightly", "somewhat", "kind of", "kinda", "sort of", "mildly", "a tad", "a touch"];

    private AnalyzedText(string original, IReadOnlyList<IReadOnlyList<string>> writtenClauses, IReadOnlyList<bool> questions)
    {
        Original = original;
        WrittenClauses = writtenClauses;
        QuestionClauses = questions;
        Clauses = [.. writtenClauses.Select(clause => (IReadOnlyList<string>)[.. clause.Select(Fold)])];
        Words = [.. Clauses.SelectMany(clause => clause)];
    }

    public string Original { get; }

    /// <summary>The clauses in lower case, for matching.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Clauses { get; }

    /// <summary>The same clauses as the user wrote them, for quoting back ("Spanish", not "spanish").</summary>
    public IReadOnlyList<IReadOnlyList<string>> WrittenClauses { get; }

    public IReadOnlyList<string> Words { get; }

    /// <summary>Whether each clause ends with a question mark (or opens with "¿").</summary>
    public IReadOnlyList<bool> QuestionClauses { get; }

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
        var normalised = Protected().Replace(original.Replace('\u2019', '\'').Replace('\u2018', '\''), match => Protect(match.Value));
        var clauses = new List<IReadOnlyList<string>>();
        var questions = new List<bool>();
        var start = 0;
        foreach (Match delimiter in ClauseBreak().Matches(normalised))
        {
            Add(normalised[start..delimiter.Index], delimiter.Value);
            start = delimiter.Index + delimiter.Length;
        }

        Add(normalised[start..], string.Empty);
        return new AnalyzedText(original, clauses, questions);

        void Add(string segment, string delimiter)
        {
            var words = WordPattern().Matches(segment).Select(match => Restore(match.Value)).ToList();
            var asks = delimiter.Contains('?') || segment.Contains('\u00BF');
            if (words.Count > 0)
            {
                clauses.Add(words);
                questions.Add(asks);
            }
            else if (asks && questions.Count > 0)
            {
                questions[^1] = true;
            }
        }
    }

    /// <summary>The matching form of a word: lower case, accents removed ("Estressé" → "estresse").</summary>
    public static string Fold(string word) => CrisisText.StripAccents(word.ToLowerInvariant());

    // Dots, commas and colons that do not end a clause ("Dr.", "5.5", "18:00") are hidden from
    // the clause split and given back inside the word.
    private static string Protect(string text) => text.Replace('.', '\u2024').Replace(',', '\u201A').Replace(':', '\uA789');

    private static string Restore(string word) => word.Replace('\u2024', '.').Replace('\u201A', ',').Replace('\uA789', ':');

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

    [GeneratedRegex(@"[.!?;:,\n\r\u2026]+|\b(?:but|however|pero|mas)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ClauseBreak();

    [GeneratedRegex(@"\b(?:dr|dra|mr|mrs|ms|prof|profa|sr|sra|srta|st|mme|mlle|vs|etc|approx|av|jr)\.(?=\s+\S)|(?<=\d)[.,:](?=\d)", RegexOptions.IgnoreCase)]
    private static partial Regex Protected();

    [GeneratedRegex(@"[\p{L}\p{M}\p{Nd}\u2024\u201A\uA789]+(?:['\-][\p{L}\p{M}\p{Nd}]+)*")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\b[A-Z]{3,}\b")]
    private static partial Regex ShoutedWord();

    [GeneratedRegex(@"\b\w*([a-zA-Z])\1\1\w*\b")]
    private static partial Regex StretchedWord();
}
