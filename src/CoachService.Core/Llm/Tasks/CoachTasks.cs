using System.Text.Json.Serialization;

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

/// <summary>Coach personas, as stored in coaching preferences (seed 001 ritual_preferences.voice_id).</summary>
public static class CoachPersona
{
    public const string ConfidentCoach = "confident_coach";
    public const string WarmFriend = "warm_friend";
    public const string GentleGuide = "gentle_guide";
    public const string WiseMentor = "wise_mentor";

    public static IReadOnlyList<string> All { get; } = [ConfidentCoach, WarmFriend, GentleGuide, WiseMentor];
}

// ---- Structured outputs. JSON names are snake_case; every field is required by the schema. ----

/// <summary>DISC scores, each 0..1.</summary>
public sealed record DiscScores(
    [property: JsonPropertyName("d")] double D,
    [property: JsonPropertyName("i")] double I,
    [property: JsonPropertyName("s")] double S,
    [property: JsonPropertyName("c")] double C);

/// <summary>Output of <see cref="CoachTask.AssessmentScoring"/>.</summary>
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

/// <summary>Output of <see cref="CoachTask.EmotionalSnapshot"/>: 1..5 emotions.</summary>
public sealed record EmotionalSnapshotResult(
    [property: JsonPropertyName("emotions")] IReadOnlyList<EmotionReading> Emotions);

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

/// <summary>Output of <see cref="CoachTask.SessionSummary"/>: the virtue and 1..5 key insights.</summary>
public sealed record SessionSummaryResult(
    [property: JsonPropertyName("virtue")] VirtueEarned Virtue,
    [property: JsonPropertyName("key_insights")] IReadOnlyList<KeyInsight> KeyInsights);

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
