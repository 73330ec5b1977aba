using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CoachService.Safety;

/// <summary>
/// Brings a message to the one shape every crisis pattern is written for: lower case, accents
/// removed ("não" → "nao"), leetspeak read as letters ("k1ll mys3lf"), spaced or dotted letters
/// joined ("k i l l", "s.u.i.c.i.d.e") and hyphens read as spaces ("matar-me"). Numbers such as
/// "5.5" or "18:00" are left alone: only a token that mixes letters and digits is leetspeak.
/// </summary>
internal static partial class CrisisText
{
    // Glued phrases people type to slip past filters, and what a spaced-out run collapses to.
    private static readonly (string Glued, string Spaced)[] Glued =
    [
        ("killmyself", "kill myself"), ("endmylife", "end my life"), ("wanttodie", "want to die"), ("hurtmyself", "hurt myself"),
        ("cutmyself", "cut myself"), ("takemylife", "take my life"), ("mematar", "me matar"), ("quieromorir", "quiero morir"),
        ("queromorrer", "quero morrer"), ("metuer", "me tuer"), ("mesuicider", "me suicider"), ("jeveuxmourir", "je veux mourir"),
        ("sewerslide", "sewer slide"), ("selfharm", "self harm"), ("selfdelete", "self delete"),
    ];

    public static string Normalise(string? message)
    {
        var text = (message ?? string.Empty).Replace('\u2019', '\'').Replace('\u2018', '\'').ToLowerInvariant();
        text = StripAccents(text);
        text = LeetToken().Replace(text, match => Unleet(match.Value));
        text = SpacedLetters().Replace(text, match => Unglue(Separator().Replace(match.Value, string.Empty)));
        text = GluedWord().Replace(text, match => Unglue(match.Value));
        text = text.Replace("my self", "myself", StringComparison.Ordinal);
        text = InnerHyphen().Replace(text, " ");
        text = Noise().Replace(text, " ");
        return " " + Whitespace().Replace(text, " ").Trim() + " ";
    }

    /// <summary>"não" → "nao", "débordée" → "debordee": letters without their combining marks.</summary>
    public static string StripAccents(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                kept.Append(c);
            }
        }

        return kept.ToString().Normalize(NormalizationForm.FormC);
    }

    // Only tokens that hold a letter and a stand-in character: "k1ll", "su1c1d3", "m@tar"; "5" or "18:00" stay numbers.
    private static string Unleet(string token)
    {
        if (!token.Any(char.IsLetter) || !token.Any(c => c is (>= '0' and <= '9') or '@' or '$' or '!' or '|'))
        {
            return token;
        }

        var result = new StringBuilder(token.Length);
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            var betweenLetters = i > 0 && i < token.Length - 1;
            result.Append(c switch
            {
                '0' => 'o',
                '1' => 'i',
                '3' => 'e',
                '4' => 'a',
                '5' => 's',
                '7' => 't',
                '9' => 'g',
                '@' => 'a',
                '$' => 's',
                '!' when betweenLetters => 'i',
                '|' when betweenLetters => 'l',
                _ => c,
            });
        }

        return result.ToString();
    }

    private static string Unglue(string word)
    {
        foreach (var (glued, spaced) in Glued)
        {
            word = word.Replace(glued, spaced, StringComparison.Ordinal);
        }

        return word;
    }

    // Plain runs only (no nested quantifiers), so a 4,000-letter token is read in linear time.
    [GeneratedRegex(@"[\p{L}0-9@$!|]+")]
    private static partial Regex LeetToken();

    [GeneratedRegex(@"(?<!\p{L})\p{L}(?:[ .\-_*]\p{L}){2,}(?!\p{L})")]
    private static partial Regex SpacedLetters();

    [GeneratedRegex(@"[ .\-_*]")]
    private static partial Regex Separator();

    [GeneratedRegex(@"\p{L}{8,}")]
    private static partial Regex GluedWord();

    [GeneratedRegex(@"(?<=\p{L})-(?=\p{L})")]
    private static partial Regex InnerHyphen();

    // Marks that carry no words; sentence punctuation stays, it separates clauses.
    [GeneratedRegex(@"[""“”«»()\[\]{}*_#~^¿¡]")]
    private static partial Regex Noise();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
