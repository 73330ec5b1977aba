using System.Text.Json.Serialization;
using CoachService.Goals;
using CoachService.Profiles;
using CoachService.Sessions;

namespace CoachService.Llm.Tasks;

/// <summary>
/// The LLM tasks of the service. Each name is also the prompt file name in <c>prompts/</c>
/// (<c>prompts/{name}.prompty</c>) and the JSON-schema name of its structured output.
/// </summary>
public static class CoachTask
{
    /// <summary>Streams the coach's reply in the user's persona (text output).</summary>
    public const string CoachReply = "coach_reply";

    /// <summary>Streams the next onboarding assessment question (text output).</summary>
    public const string AssessmentQuestion = "assessment_question";

    /// <summary>Scores a finished assessment transcript: <see cref="PersonalityAssessmentResult"/>.</summary>
    public const string AssessmentScoring = "assessment_scoring";

    /// <summary>The emotions of one turn: <see cref="EmotionalSnapshotResult"/>.</summary>
    public const string EmotionalSnapshot = "emotional_snapshot";

    /// <summary>Virtue earned and key insights of a session: <see cref="SessionSummaryResult"/>.</summary>
    public const string SessionSummary = "session_summary";

    /// <summary>SMART goal suggestions: <see cref="GoalSuggestionsResult"/>.</summary>
    public const string GoalSuggestions = "goal_suggestions";

    /// <summary>Crisis and self-harm screen of one user message: <see cref="SafetyScreenResult"/>.</summary>
    public const string SafetyScreen = "safety_screen";

    public static IReadOnlyList<string> All { get; } =
        [CoachReply, AssessmentQuestion, AssessmentScoring, EmotionalSnapshot, SessionSummary, GoalSuggestions, SafetyScreen];
}

/// <summary>
/// Keys of <c>ChatOptions.AdditionalProperties</c> that the task runner sets on every request.
/// Providers that speak to a real model ignore them; the offline engine and the recording
/// decorator read them.
/// </summary>
public static class CoachChatOptionKeys
{
    /// <summary>The task name (one of <see cref="CoachTask"/>), a string.</summary>
    public const string Task = "coach.task";

    /// <summary>The prompt's template inputs, an <c>IReadOnlyDictionary&lt;string, object?&gt;</c>.</summary>
    public const string Inputs = "coach.inputs";

    /// <summary>The prompt version (content hash) that produced the request, a string.</summary>
    public const string PromptVersion = "coach.prompt_version";
}

// ---- Structured outputs. JSON names are snake_case; every field is required by the schema. ----

/// <summary>Output of <see cref="CoachTask.EmotionalSnapshot"/>: 1..5 emotions.</summary>
public sealed record EmotionalSnapshotResult(
    [property: JsonPropertyName("emotions")] IReadOnlyList<EmotionReading> Emotions);

/// <summary>Output of <see cref="CoachTask.SessionSummary"/>: the virtue and 1..5 key insights.</summary>
public sealed record SessionSummaryResult(
    [property: JsonPropertyName("virtue")] VirtueEarned Virtue,
    [property: JsonPropertyName("key_insights")] IReadOnlyList<KeyInsight> KeyInsights);

/// <summary>Output of <see cref="CoachTask.GoalSuggestions"/>: 1..3 goals.</summary>
public sealed record GoalSuggestionsResult(
    [property: JsonPropertyName("goals")] IReadOnlyList<SuggestedGoal> Goals);

/// <summary>Output of <see cref="CoachTask.SafetyScreen"/>.</summary>
/// <param name="RiskLevel">"none", "low", "elevated" or "crisis".</param>
/// <param name="IsCrisis">True when the message needs the crisis reply instead of coaching.</param>
/// <param name="Categories">0..5 of: self_harm, suicidal_ideation, harm_to_others, abuse, medical_emergency.</param>
/// <param name="Rationale">At most 300 characters; never quotes the message.</param>
public sealed record SafetyScreenResult(
    [property: JsonPropertyName("risk_level")] string RiskLevel,
    [property: JsonPropertyName("is_crisis")] bool IsCrisis,
    [property: JsonPropertyName("categories")] IReadOnlyList<string> Categories,
    [property: JsonPropertyName("rationale")] string Rationale);
