using System.Text.Json.Serialization;

namespace CoachService.Sessions;

/// <summary>
/// Something the coach did to the user's own data during a turn, through one of its tools: stored with
/// the reply (messages.actions) and sent to the client as the CoachAction event.
/// </summary>
/// <param name="Function">The tool: <c>goals.record_goal_progress</c> or <c>mood.log_mood</c>.</param>
/// <param name="GoalId">The goal whose progress changed.</param>
/// <param name="Goal">The goal's text as the user wrote it.</param>
/// <param name="ProgressPercentage">The goal's progress after the change, 0..100.</param>
/// <param name="Mood">The mood logged.</param>
/// <param name="Intensity">The logged mood's intensity, 1..10.</param>
public sealed record CoachAction(
    [property: JsonPropertyName("function")] string Function,
    [property: JsonPropertyName("goal_id")] Guid? GoalId = null,
    [property: JsonPropertyName("goal")] string? Goal = null,
    [property: JsonPropertyName("progress_percentage")] int? ProgressPercentage = null,
    [property: JsonPropertyName("mood")] string? Mood = null,
    [property: JsonPropertyName("intensity")] int? Intensity = null);
