using CoachService.Goals;

namespace CoachService.Sessions;

/// <summary>One page of the user's sessions, newest first.</summary>
public sealed record SessionPage(IReadOnlyList<SessionListItem> Items, int Page, int PageSize, int Total);

public sealed record SessionListItem(
    Guid Id,
    string Type,
    string Status,
    string? Persona,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    int? DurationSeconds,
    DateOnly SessionDate,
    string? VirtueEarned,
    int MessageCount);

/// <summary>A session with what its summary produced, its metrics and its messages in order.</summary>
public sealed record SessionDetail(
    Guid Id,
    string Type,
    string Status,
    string? Persona,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    int? DurationSeconds,
    DateOnly SessionDate,
    string? VirtueEarned,
    IReadOnlyList<EmotionReading> EmotionalSnapshot,
    IReadOnlyList<KeyInsight> KeyInsights,
    IReadOnlyList<SuggestedGoal> SuggestedGoals,
    IReadOnlyList<SessionMetricView> Metrics,
    IReadOnlyList<SessionMessage> Messages);

public sealed record SessionMetricView(string Name, decimal? Value, string? Unit);

/// <summary>A stored message as a client sees it (REST session detail and the hub's ResumeSession).</summary>
/// <param name="TurnId">The client's turn id; a user message and its reply share it.</param>
/// <param name="Actions">
/// What the coach's tools did (or were refused) while the reply was produced, in order; always a list,
/// empty when there were none and on user messages, so a client that reconnects needs no null check.
/// </param>
public sealed record SessionMessage(
    int Sequence,
    string Role,
    string Kind,
    string Content,
    bool Interrupted,
    string? TurnId,
    DateTimeOffset CreatedAt,
    IReadOnlyList<CoachAction> Actions)
{
    /// <summary>The view of a stored message; both routes that list messages use it.</summary>
    public static SessionMessage Of(Message m) =>
        new(m.SequenceNumber, m.Role, m.Kind, m.Content, m.Interrupted, m.ClientTurnId, m.CreatedAt, m.Actions ?? []);
}
