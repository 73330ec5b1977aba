using System.Text;

namespace CoachService.Conversations;

/// <summary>A piece of streamed text; <see cref="EndsSentence"/> marks the end of a sentence.</summary>
public readonly record struct TextPiece(string Text, bool EndsSentence);

/// <summary>
/// Splits streamed text so that no piece crosses a sentence end and every sentence end is marked,
/// letting a voice front-end speak each whole sentence as soon as it is complete. A sentence ends at
/// '.', '!', '?' or '…' (with closing quotes or brackets) followed by white space and then anything but a
/// lower-case letter; "Dr.", "3.5" and 'said "no!" and left' do not end one. Text is released as soon as
/// it arrives: only a mark still waiting for what follows it is held back. A mark is certain once the
/// first letter after it has come, or at once when a line break follows it.
/// </summary>
public sealed class SentenceChunker
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "approx", "no", "mt",
    };

    private readonly StringBuilder pending = new();
    private readonly StringBuilder sentence = new();

    /// <summary>Adds streamed text and returns the pieces that can be sent now.</summary>
    public IReadOnlyList<TextPiece> Push(string text)
    {
        pending.Append(text);
        return Drain(final: false);
    }

    /// <summary>The rest at the end of the stream; the last piece ends a sentence (it may be empty when all the text was sent).</summary>
    public IReadOnlyList<TextPiece> Flush()
    {
        var open = sentence.Length > 0;
        var pieces = Drain(final: true).ToList();
        if (pieces.Count > 0 && !pieces[^1].EndsSentence)
        {
            pieces[^1] = pieces[^1] with { EndsSentence = true };
        }
        else if (pieces.Count == 0 && open)
        {
            // The last sentence was sent without a mark: an empty piece says it is complete.
            pieces.Add(new TextPiece("", true));
        }

        return pieces;
    }

    private List<TextPiece> Drain(bool final)
    {
        var pieces = new List<TextPiece>();
        var start = 0;
        var undecided = pending.Length; // where a mark waits for the next characters
        for (var i = 0; i < pending.Length; i++)
        {
            if (!IsTerminator(pending[i]))
            {
                continue;
            }

            // Take closing quotes and brackets, and further terminators ("?!", "..."), with the mark.
            var end = i + 1;
            while (end < pending.Length && (IsTerminator(pending[end]) || IsCloser(pending[end])))
            {
                end++;
            }

            if (end == pending.Length)
            {
                if (!final)
                {
                    undecided = i;
                    break; // the next update decides whether white space follows
                }
            }
            else if (!char.IsWhiteSpace(pending[end]))
            {
                i = end - 1;
                continue;
            }
            else
            {
                var next = end;
                var lineBreak = false;
                while (next < pending.Length && char.IsWhiteSpace(pending[next]))
                {
                    lineBreak |= pending[next] is '\n' or '\r';
                    next++;
                }

                if (next == pending.Length && !final && !lineBreak)
                {
                    undecided = i;
                    break; // the next word decides
                }

                if (!lineBreak && next < pending.Length && char.IsLower(pending[next]))
                {
                    i = end - 1;
                    continue;
                }
            }

            if (pending[i] == '.' && IsAbbreviationOrNumber(start, i))
            {
                i = end - 1;
                continue;
            }

            pieces.Add(new TextPiece(pending.ToString(start, end - start), true));
            sentence.Clear();
            start = end;
            i = end - 1;
        }

        // Send everything before an undecided mark. A word sent without its mark is still known to the
        // abbreviation check through 'sentence' ("Dr" now, "." later).
        var keepFrom = final ? pending.Length : undecided;
        if (keepFrom > start)
        {
            var text = pending.ToString(start, keepFrom - start);
            pieces.Add(new TextPiece(text, false));
            sentence.Append(text);
            start = keepFrom;
        }

        pending.Remove(0, start);
        return pieces;
    }

    private bool IsAbbreviationOrNumber(int start, int dot)
    {
        if (dot + 1 < pending.Length && char.IsDigit(pending[dot + 1]))
        {
            return true;
        }

        var wordStart = dot;
        while (wordStart > start && !char.IsWhiteSpace(pending[wordStart - 1]))
        {
            wordStart--;
        }

        var word = sentence.Length > 0 && wordStart == start && !char.IsWhiteSpace(pending[start])
            ? TrailingWord(sentence) + pending.ToString(start, dot - start)
            : pending.ToString(wordStart, dot - wordStart);
        word = word.TrimStart('(', '"', '\'', '“', '‘');
        return Abbreviations.Contains(word) || (word.Length == 1 && char.IsUpper(word[0]));
    }

    private static string TrailingWord(StringBuilder text)
    {
        var i = text.Length;
        while (i > 0 && !char.IsWhiteSpace(text[i - 1]))
        {
            i--;
        }

        return text.ToString(i, text.Length - i);
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or '…';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '”' or '’';
}
