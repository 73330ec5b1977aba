using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace CoachService.Prompts;

/// <summary>
/// The word shingles of a prompt's rendered instructions (its <c>system:</c> sections): every run of
/// <see cref="Length"/> consecutive normalised words that holds at least <see cref="MinContentWords"/>
/// words other than stop words, kept as 64-bit hashes. A model output that contains one of them reads the
/// instructions back (OWASP LLM07); see docs/decisions/instruction-leak-guard.md. Built once per prompt
/// version and rendering (<see cref="PromptTemplate.InstructionsFor"/>), then only read: safe to share.
/// </summary>
public sealed class InstructionShingles
{
    /// <summary>Words in a shingle: long enough that ordinary coaching talk never repeats one by chance.</summary>
    public const int Length = 8;

    /// <summary>Words of a shingle that must not be stop words, so that runs of filler words never count.</summary>
    public const int MinContentWords = 3;

    private readonly HashSet<ulong> hashes = [];

    private InstructionShingles()
    {
    }

    public static InstructionShingles Empty { get; } = new();

    /// <summary>How many distinct shingles the instructions have.</summary>
    public int Count => hashes.Count;

    /// <summary>The shingles of <paramref name="texts"/>; no shingle crosses from one text to the next.</summary>
    public static InstructionShingles Of(IEnumerable<string> texts)
    {
        var shingles = new InstructionShingles();
        foreach (var text in texts)
        {
            var reader = new ShingleReader();
            foreach (var c in text)
            {
                if (reader.Read(c, out var shingle))
                {
                    shingles.hashes.Add(shingle);
                }
            }

            if (reader.End(out var last))
            {
                shingles.hashes.Add(last);
            }
        }

        return shingles;
    }

    public bool Contains(ulong shingle) => hashes.Contains(shingle);

    /// <summary>Whether <paramref name="text"/> holds one of the shingles.</summary>
    public bool AreReadBackIn(string text)
    {
        if (hashes.Count == 0)
        {
            return false;
        }

        var reader = new ShingleReader();
        foreach (var c in text)
        {
            if (reader.Read(c, out var shingle) && hashes.Contains(shingle))
            {
                return true;
            }
        }

        return reader.End(out var last) && hashes.Contains(last);
    }

    /// <summary>
    /// The JSON path of the first string in <paramref name="output"/> (a structured task's answer) that
    /// reads the instructions back, or null when none does.
    /// </summary>
    public string? FindReadBack(JsonElement output) => hashes.Count == 0 ? null : Find(output, "$");

    private string? Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return AreReadBackIn(element.GetString()!) ? path : null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (Find(property.Value, $"{path}.{property.Name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}

/// <summary>
/// Watches a streamed reply for its instructions being read back, word by word as the tokens arrive.
/// Nothing is held back (a voice front-end waits for no one): each piece of text is released at once
/// unless it completes a shingle, and the word still open at its end is checked as if it ended there,
/// so the word that would complete a shingle is never released. After a hit nothing more is released.
/// Allocation-free: the reader is a struct, and a released piece is the piece itself.
/// </summary>
public sealed class InstructionLeakWatch(InstructionShingles instructions)
{
    private ShingleReader reader;

    /// <summary>True once the reply read a shingle of its instructions back.</summary>
    public bool Leaked { get; private set; }

    /// <summary>
    /// Takes the next streamed text and returns what of it may be sent now: all of it, or, when it completes a
    /// shingle, what comes before the word that completes it (<see cref="Leaked"/> is then true). Once the
    /// instructions leaked, nothing ("").
    /// </summary>
    public string Push(string delta)
    {
        if (Leaked)
        {
            return "";
        }

        var wordStart = 0; // where the word being read began in this delta (0: before it)
        for (var i = 0; i < delta.Length; i++)
        {
            if (reader.OpenWordLength == 0)
            {
                wordStart = i;
            }

            if (reader.Read(delta[i], out var shingle) && instructions.Contains(shingle))
            {
                return Leak(delta, wordStart);
            }
        }

        // The open word as if the text ended here: if it would complete a shingle, it is not sent. A reply
        // whose seven words before it are the instructions' own and whose next word begins like theirs is
        // read back in all but name.
        var ahead = reader;
        if (ahead.End(out var tentative) && instructions.Contains(tentative))
        {
            return Leak(delta, Math.Max(0, delta.Length - reader.OpenWordLength)); // the open word began here or before
        }

        return delta;
    }

    /// <summary>The end of the stream: checks the last word (it may complete a shingle, <see cref="Leaked"/>).</summary>
    public void End()
    {
        if (!Leaked && reader.End(out var shingle) && instructions.Contains(shingle))
        {
            Leaked = true;
        }
    }

    private string Leak(string delta, int keep)
    {
        Leaked = true;
        return delta[..keep];
    }
}

/// <summary>
/// Reads text a character at a time into normalised words (letters and digits in lower case; apostrophes
/// and combining marks inside a word are dropped; anything else ends a word) and gives the hash of every
/// shingle that counts (<see cref="InstructionShingles.MinContentWords"/>) as its last word ends.
/// </summary>
internal struct ShingleReader
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;
    private const uint WindowMask = (1u << InstructionShingles.Length) - 1;

    // English function words (with apostrophes dropped, as the reader drops them): the prompts are English.
    private static readonly string[] StopWordList =
    [
        "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been",
        "before", "being", "below", "between", "both", "but", "by", "can", "cant", "could", "did", "do", "does", "doing", "dont",
        "down", "during", "each", "even", "every", "few", "for", "from", "get", "got", "had", "has", "have", "having", "he", "her",
        "here", "hers", "him", "his", "how", "i", "id", "if", "ill", "im", "in", "into", "is", "isnt", "it", "its", "ive", "just",
        "let", "lets", "like", "me", "more", "most", "much", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "one",
        "only", "or", "other", "our", "out", "over", "own", "really", "same", "she", "should", "so", "some", "such", "than",
        "that", "thats", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
        "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will",
        "with", "would", "you", "youre", "your", "yours", "yourself",
    ];

    private static readonly HashSet<ulong> StopWords = StopWordList.Select(WordHash).ToHashSet();

    private Window window;
    private int position;
    private int words;
    private uint contentMask;
    private ulong word;

    /// <summary>Characters taken of the word not ended yet (0 between words).</summary>
    public int OpenWordLength { get; private set; }

    /// <summary>Takes one character; true when it ended a word that completes a counted shingle, whose hash is <paramref name="shingle"/>.</summary>
    public bool Read(char c, out ulong shingle)
    {
        if (char.IsLetterOrDigit(c))
        {
            word = OpenWordLength == 0 ? Add(FnvOffset, c) : Add(word, c);
            OpenWordLength++;
            shingle = 0;
            return false;
        }

        if (OpenWordLength > 0 && (c is '\'' or '’' || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark))
        {
            OpenWordLength++; // "don't" and "dont" are one word
            shingle = 0;
            return false;
        }

        return EndWord(out shingle);
    }

    /// <summary>The end of the text: ends the open word; true when that completes a counted shingle.</summary>
    public bool End(out ulong shingle) => EndWord(out shingle);

    private bool EndWord(out ulong shingle)
    {
        shingle = 0;
        if (OpenWordLength == 0)
        {
            return false;
        }

        OpenWordLength = 0;
        window[position] = word;
        position = (position + 1) % InstructionShingles.Length;
        contentMask = ((contentMask << 1) | (StopWords.Contains(word) ? 0u : 1u)) & WindowMask;
        words = Math.Min(words + 1, InstructionShingles.Length);
        if (words < InstructionShingles.Length || System.Numerics.BitOperations.PopCount(contentMask) < InstructionShingles.MinContentWords)
        {
            return false;
        }

        var hash = 0UL;
        for (var k = 0; k < InstructionShingles.Length; k++)
        {
            hash = Mix(hash ^ window[(position + k) % InstructionShingles.Length]); // oldest word first
        }

        shingle = hash;
        return true;
    }

    private static ulong Add(ulong hash, char c) => (hash ^ char.ToLowerInvariant(c)) * FnvPrime;

    private static ulong WordHash(string text)
    {
        var hash = FnvOffset;
        foreach (var c in text)
        {
            hash = Add(hash, c);
        }

        return hash;
    }

    // The murmur3 finaliser: spreads each word's FNV hash so that the order of the words matters.
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        return x ^ (x >> 33);
    }

    [InlineArray(InstructionShingles.Length)]
    private struct Window
    {
        private ulong first;
    }
}
