using System.Text.RegularExpressions;

namespace CoachService.Tests.Reliability;

/// <summary>
/// A plain, slow check that is independent of the service's hashed shingles: the runs of
/// <paramref name="length"/> consecutive words (lower case, letters and digits, apostrophes dropped)
/// that two texts share. Every run counts here, stop words or not.
/// </summary>
internal static partial class VerbatimRuns
{
    public static IReadOnlyList<string> Words(string text) =>
        [.. WordPattern().Matches(text.Replace("'", "").Replace("’", "")).Select(m => m.Value.ToLowerInvariant())];

    public static IReadOnlyList<string> Shared(string text, string source, int length = 8)
    {
        var sourceRuns = Runs(Words(source), length).ToHashSet(StringComparer.Ordinal);
        return [.. Runs(Words(text), length).Where(sourceRuns.Contains).Distinct()];
    }

    private static IEnumerable<string> Runs(IReadOnlyList<string> words, int length)
    {
        for (var i = 0; i + length <= words.Count; i++)
        {
            yield return string.Join(' ', words.Skip(i).Take(length));
        }
    }

    [GeneratedRegex(@"[\p{L}\p{Nd}]+")]
    private static partial Regex WordPattern();
}
