using System.Text.Json.Serialization;

namespace CoachService.Sessions;

// What a session stores of the emotional snapshot and the summary; the LLM tasks produce them.

/// <summary>One emotion of a snapshot (seed 001 emotional_snapshot).</summary>
/// <param name="Emotion">Lower-case word, at most 40 characters.</param>
/// <param name="Intensity">1..5.</param>
/// <param name="Color">UI colour, "#RRGGBB".</param>
/// <param name="Confidence">0..1.</param>
public sealed record EmotionReading(
    [property: JsonPropertyName("emotion")] string Emotion,
    [property: JsonPropertyName("intensity")] int Intensity,
    [property: JsonPropertyName("color")] string Color,
    [property: JsonPropertyName("confidence")] double Confidence);

/// <summary>A virtue earned in a session (seed 001 virtue_collection).</summary>
/// <param name="Name">At most 40 characters, e.g. "courage".</param>
/// <param name="Description">At most 300 characters.</param>
public sealed record VirtueEarned(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description);

/// <summary>seed 001 key_insights item.</summary>
/// <param name="Insight">At most 500 characters.</param>
/// <param name="Category">One of the eight emotional focus categories of seed 001.</param>
/// <param name="Importance">1..5.</param>
public sealed record KeyInsight(
    [property: JsonPropertyName("insight")] string Insight,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("importance")] int Importance);
