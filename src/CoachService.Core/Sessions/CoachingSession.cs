using CoachService.Goals;
using CoachService.Persistence;
using CoachService.Profiles;

namespace CoachService.Sessions;

/// <summary>One coaching conversation (seed 001 daily_sessions + seed 002 conversations).</summary>
public sealed class CoachingSession : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>face_to_face, spoken_presence, silent_reflection, written_clarity or onboarding_assessment.</summary>
    public required string SessionType { get; set; }

    /// <summary>See <see cref="SessionStatusRules"/> for what each status allows.</summary>
    public SessionStatus Status { get; set; } = SessionStatus.Started;

    /// <summary>A persona for this session only, overriding the user's preference.</summary>
    public string? CoachPersona { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public int? DurationSeconds { get; set; }

    /// <summary>The day the session counts for, in the user's time zone.</summary>
    public DateOnly SessionDate { get; set; }

    public string? VirtueEarned { get; set; }
    public List<EmotionReading>? EmotionalSnapshot { get; set; }
    public List<KeyInsight>? KeyInsights { get; set; }
    public List<SuggestedGoal>? SuggestedGoals { get; set; }

    /// <summary>Model, prompt versions and other facts about how the session was produced.</summary>
    public Dictionary<string, string> Metadata { get; set; } = [];

    /// <summary>Set when the safety screen found a crisis in this session.</summary>
    public bool SafetyFlagged { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One message of a session (seeds 002 and 004).</summary>
public sealed class Message : IUserOwned
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid UserId { get; set; }

    /// <summary>1, 2, 3… within the session.</summary>
    public int SequenceNumber { get; set; }

    /// <summary>user, assistant or system.</summary>
    public required string Role { get; set; }

    /// <summary>text, scenario, advice, assessment_question or safety.</summary>
    public string Kind { get; set; } = "text";

    public required string Content { get; set; }

    /// <summary>For an assistant message cut short by barge-in: the part the user heard.</summary>
    public string? HeardContent { get; set; }

    public bool Interrupted { get; set; }

    /// <summary>The model stopped at its token limit (finish reason length): the reply is incomplete.</summary>
    public bool CutOff { get; set; }

    /// <summary>The client's id of the turn; a user message and its reply share it.</summary>
    public string? ClientTurnId { get; set; }

    public int? InputTokens { get; set; }
    public int? OutputTokens { get; set; }

    /// <summary>
    /// For a reply: tokens of the speculative replies (started from partial transcripts) that were discarded
    /// before it, counted apart from <see cref="InputTokens"/>/<see cref="OutputTokens"/>; null when none.
    /// </summary>
    public int? WastedInputTokens { get; set; }

    public int? WastedOutputTokens { get; set; }

    public string? Model { get; set; }
    public string? PromptVersion { get; set; }

    /// <summary>SHA-256 (hex) of the rendered prompt that produced the reply, for replaying it later.</summary>
    public string? PromptHash { get; set; }

    public int? TimeToFirstTokenMs { get; set; }
    public int? TimeToFirstSentenceMs { get; set; }
    public int? TotalMs { get; set; }

    /// <summary>For a reply: what the coach's tools did while it was produced (goal progress, mood check-ins).</summary>
    public List<CoachAction>? Actions { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One emotion of a turn's emotional snapshot, linked to the message.</summary>
public sealed class MessageEmotion : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid SessionId { get; set; }
    public Guid MessageId { get; set; }
    public required string Emotion { get; set; }

    /// <summary>1..5.</summary>
    public int Intensity { get; set; }

    /// <summary>#RRGGBB.</summary>
    public required string Color { get; set; }

    /// <summary>0..1.</summary>
    public decimal Confidence { get; set; }

    public string? PromptVersion { get; set; }

    /// <summary>SHA-256 (hex) of the rendered prompt that produced the emotions.</summary>
    public string? PromptHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A named figure about a session (seed 001 session_analytics), unique per session and name.</summary>
public sealed class SessionMetric : IUserOwned
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    public decimal? Value { get; set; }
    public string? Unit { get; set; }
    public DateTimeOffset CalculatedAt { get; set; }
}
