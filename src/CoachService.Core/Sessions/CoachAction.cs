using System.Text.Json.Serialization;

namespace CoachService.Sessions;

/// <summary>
/// Something the coach did, or tried to do, to the user's own data during a turn through one of its
/// tools: stored with the reply (messages.actions) and sent to the client as the CoachAction event.
/// </summary>
/// <param name="Function">The tool: <c>goals.record_goal_progress</c> or <c>mood.log_mood</c>.</param>
/// <param name="GoalId">The goal whose progress changed (refused: the id the model named, when it is one).</param>
/// <param name="Goal">The goal's text as the user wrote it (null when refused).</param>
/// <param name="ProgressPercentage">The goal's progress after the change, 0..100 (refused: the value asked for).</param>
/// <param name="Mood">The mood logged (refused: the mood asked for).</param>
/// <param name="Intensity">The logged mood's intensity, 1..10 (refused: the value asked for).</param>
/// <param name="Outcome"><see cref="CoachActionOutcome.Done"/> or <see cref="CoachActionOutcome.Refused"/>.</param>
/// <param name="Error">Why a refused call changed nothing, in the words the model was given; null when done.</param>
public sealed record CoachAction(
    [property: JsonPropertyName("function")] string Function,
    [property: JsonPropertyName("goal_id")] Guid? GoalId = null,
    [property: JsonPropertyName("goal")] string? Goal = null,
    [property: JsonPropertyName("progress_percentage")] int? ProgressPercentage = null,
    [property: JsonPropertyName("mood")] string? Mood = null,
    [property: JsonPropertyName("intensity")] int? Intensity = null,
    [property: JsonPropertyName("outcome")] string Outcome = CoachActionOutcome.Done,
    [property: JsonPropertyName("error")] string? Error = null)
{
    /// <summary>A call the domain refused (another user's goal, a value out of range): nothing changed.</summary>
    public static CoachAction Refused(string function, string error, Guid? goalId = null, int? progressPercentage = null, string? mood = null, int? intensity = null) =>
        new(function, goalId, null, progressPercentage, mood, intensity, CoachActionOutcome.Refused, error);
}

/// <summary>Values of <see cref="CoachAction.Outcome"/>.</summary>
public static class CoachActionOutcome
{
    /// <summary>The change was stored.</summary>
    public const string Done = "done";

    /// <summary>The domain refused the call; nothing changed, and the model was told why.</summary>
    public const string Refused = "refused";
}
