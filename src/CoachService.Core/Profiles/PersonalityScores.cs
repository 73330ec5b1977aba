using System.Text.Json.Serialization;

namespace CoachService.Profiles;

// The scored personality as stored (personality_assessments); the LLM task assessment_scoring produces it.

/// <summary>DISC scores, each 0..1.</summary>
public sealed record DiscScores(
    [property: JsonPropertyName("d")] double D,
    [property: JsonPropertyName("i")] double I,
    [property: JsonPropertyName("s")] double S,
    [property: JsonPropertyName("c")] double C);

/// <summary>Output of the <c>assessment_scoring</c> task.</summary>
/// <param name="DiscType">"D", "I", "S" or "C".</param>
/// <param name="EnneagramType">1..9.</param>
/// <param name="EnneagramWing">1..9, adjacent to the type (9 and 1 are adjacent).</param>
/// <param name="EnneagramScores">Exactly nine scores 0..1, for types 1..9 in order.</param>
/// <param name="Confidence">0..1; honest: low when the transcript says little.</param>
/// <param name="Insights">1..5 short insights, each at most 300 characters.</param>
public sealed record PersonalityAssessmentResult(
    [property: JsonPropertyName("disc_type")] string DiscType,
    [property: JsonPropertyName("disc_scores")] DiscScores DiscScores,
    [property: JsonPropertyName("enneagram_type")] int EnneagramType,
    [property: JsonPropertyName("enneagram_wing")] int EnneagramWing,
    [property: JsonPropertyName("enneagram_scores")] IReadOnlyList<double> EnneagramScores,
    [property: JsonPropertyName("confidence")] double Confidence,
    [property: JsonPropertyName("insights")] IReadOnlyList<string> Insights);
