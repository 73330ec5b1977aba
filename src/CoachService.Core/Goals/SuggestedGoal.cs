using System.Text.Json.Serialization;

namespace CoachService.Goals;

/// <summary>seed 001 suggested_goals item.</summary>
/// <param name="Category">A goal type of seed 001: emotional_wellness, personal_growth, relationships, career, health, mindfulness.</param>
/// <param name="Description">At most 300 characters.</param>
/// <param name="SmartGoal">Specific, measurable, achievable, relevant, time-bound; at most 500 characters.</param>
/// <param name="Timeframe">At most 60 characters, e.g. "2 weeks".</param>
/// <param name="Priority">1..5.</param>
public sealed record SuggestedGoal(
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("smart_goal")] string SmartGoal,
    [property: JsonPropertyName("timeframe")] string Timeframe,
    [property: JsonPropertyName("priority")] int Priority);
