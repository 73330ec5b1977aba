using System.Globalization;
using System.Text;

namespace CoachService.Conversations.Preemptive;

/// <summary>
/// What a transcript says, without the parts speech-to-text engines disagree on between a partial and
/// the final: case, punctuation and white space. Two transcripts with the same key are the same words.
/// </summary>
public static class SpokenText
{
    public static string Key(string? transcript)
    {
        var key = new StringBuilder(transcript?.Length ?? 0);
        var pendingSpace = false;
        foreach (var c in (transcript ?? "").Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                if (pendingSpace && key.Length > 0)
                {
                    key.Append(' ');
                }

                pendingSpace = false;
                key.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.DashPunctuation)
            {
                // "well-being" and "well being" are said alike; an apostrophe inside a word ("don't") is dropped.
                pendingSpace = true;
            }
            else if (char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
            {
                key.Append(c);
            }
            else if (!char.IsPunctuation(c) && !char.IsSymbol(c))
            {
                pendingSpace = true;
            }
        }

        return key.ToString();
    }
}
