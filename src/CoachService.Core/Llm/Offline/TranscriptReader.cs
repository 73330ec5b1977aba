using System.Text.RegularExpressions;

namespace CoachService.Llm.Offline;

/// <summary>
/// Keeps only what the user said from a transcript. Scoring the coach's own questions
/// would make every user look like the coach.
/// </summary>
internal static partial class TranscriptReader
{
    public static string UserText(string? transcript)
    {
        if (string.IsNullOrWhiteSpace(transcript))
        {
            return string.Empty;
        }

        var lines = transcript.Split('\n');
        if (!lines.Any(line => SpeakerLabel().IsMatch(line)))
        {
            return transcript;
        }

        var kept = new List<string>();
        var speakerIsCoach = false;
        foreach (var line in lines)
        {
            var label = SpeakerLabel().Match(line);
            if (label.Success)
            {
                speakerIsCoach = CoachLabel().IsMatch(label.Groups["who"].Value);
                if (!speakerIsCoach)
                {
                    kept.Add(line[label.Length..].Trim());
                }
            }
            else if (!speakerIsCoach && line.Trim().Length > 0)
            {
                kept.Add(line.Trim());
            }
        }

        return string.Join('\n', kept);
    }

    [GeneratedRegex(@"^\s*(?<who>[A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*")]
    private static partial Regex SpeakerLabel();

    [GeneratedRegex(@"^(coach|assistant|ai|bot|system|interviewer|question|q|confident_coach|warm_friend|gentle_guide|wise_mentor)$", RegexOptions.IgnoreCase)]
    private static partial Regex CoachLabel();
}
