using CoachService.Llm.Tasks;
using CoachService.Sessions;

namespace CoachService.Llm.Offline;

/// <summary>
/// Names the emotions of one message from the <see cref="EmotionLexicon"/>: a negated phrase
/// points to its opposite, intensity grows with intensifiers, exclamation, shouting and
/// repetition, and confidence grows with the amount of evidence.
/// </summary>
public sealed class EmotionDetector
{
    private const int MaxEmotions = 5;

    public EmotionalSnapshotResult Detect(string? message)
    {
        var text = AnalyzedText.Of(message);
        var evidence = Gather(text);
        if (evidence.Count == 0)
        {
            // Nothing in the lexicon matched: say so with low confidence rather than invent a feeling.
            var confidence = text.WordCount == 0 ? 0.1 : 0.3;
            return new EmotionalSnapshotResult([new EmotionReading(EmotionLexicon.Neutral.Name, 1, EmotionLexicon.Neutral.Color, confidence)]);
        }

        var readings = evidence
            .OrderByDescending(item => item.Value.Weight)
            .ThenBy(item => item.Key, StringComparer.Ordinal)
            .Take(MaxEmotions)
            .Select(item => Reading(item.Key, item.Value, text))
            .ToList();
        return new EmotionalSnapshotResult(readings);
    }

    /// <summary>The dominant emotion, for writers that only need one word.</summary>
    public EmotionReading Dominant(string? message) => Detect(message).Emotions[0];

    private static Dictionary<string, Evidence> Gather(AnalyzedText text)
    {
        var evidence = new Dictionary<string, Evidence>(StringComparer.Ordinal);
        foreach (var entry in EmotionLexicon.All)
        {
            foreach (var phrase in entry.Phrases)
            {
                foreach (var hit in text.Find(phrase))
                {
                    var target = hit.Negated ? entry.WhenNegated : entry.Name;
                    if (target is null)
                    {
                        continue;
                    }

                    var item = evidence.TryGetValue(target, out var existing) ? existing : new Evidence();
                    evidence[target] = item with
                    {
                        // A negated phrase is weaker evidence for the opposite than a direct word.
                        Weight = item.Weight + (hit.Negated ? 0.6 : 1.0),
                        DirectHits = item.DirectHits + (hit.Negated ? 0 : 1),
                        Intensified = item.Intensified + (hit.Intensified && !hit.Negated ? 1 : 0),
                        Softened = item.Softened || hit.Softened,
                    };
                }
            }
        }

        return evidence;
    }

    private static EmotionReading Reading(string name, Evidence evidence, AnalyzedText text)
    {
        var entry = EmotionLexicon.Get(name);
        var hits = Math.Max(1, (int)Math.Round(evidence.Weight));
        var intensity = 1 + Math.Min(hits, 3);
        intensity += Math.Min(evidence.Intensified, 2);
        intensity += text.ExclamationCount switch { 0 => 0, < 3 => 1, _ => 2 };
        intensity += text.ShoutedWordCount > 0 || text.StretchedWordCount > 0 ? 1 : 0;
        intensity -= evidence.Softened ? 1 : 0;
        intensity -= evidence.DirectHits == 0 ? 1 : 0;

        var confidence = 0.4 + 0.12 * (evidence.Weight - 1) + 0.04 * evidence.Intensified;
        if (evidence.DirectHits == 0)
        {
            confidence = 0.3;
        }

        return new EmotionReading(entry.Name, Math.Clamp(intensity, 1, 5), entry.Color, Math.Round(Math.Clamp(confidence, 0.05, 0.95), 2));
    }

    private sealed record Evidence(double Weight = 0, int DirectHits = 0, int Intensified = 0, bool Softened = false);
}
