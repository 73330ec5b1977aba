using System.Text.Json.Serialization;

namespace CoachService.Sessions;

/// <summary>
/// Where a coaching session is in its life (seed 001 daily_sessions.status). Stored and sent as the
/// snake_case name (<see cref="SessionStatusRules.ToWire"/>). The transitions live in
/// <see cref="SessionStatusRules"/>, and nowhere else.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<SessionStatus>))]
public enum SessionStatus
{
    /// <summary>Created; no user turn yet.</summary>
    [JsonStringEnumMemberName("started")] Started,

    /// <summary>At least one user turn.</summary>
    [JsonStringEnumMemberName("in_progress")] InProgress,

    /// <summary>Ended by the user: summary, virtue and goals stored. Final.</summary>
    [JsonStringEnumMemberName("completed")] Completed,

    /// <summary>Left open and closed by the service; it takes no more turns but can still be ended.</summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,

    /// <summary>Could not be carried on. Final.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>The one place that says what a session in each status may do, and how it moves on.</summary>
public static class SessionStatusRules
{
    private static readonly Dictionary<SessionStatus, string> Names = new()
    {
        [SessionStatus.Started] = "started",
        [SessionStatus.InProgress] = "in_progress",
        [SessionStatus.Completed] = "completed",
        [SessionStatus.Interrupted] = "interrupted",
        [SessionStatus.Failed] = "failed",
    };

    private static readonly Dictionary<string, SessionStatus> ByName = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every status by its stored name, in lifecycle order (the CHECK constraint's set).</summary>
    public static IReadOnlyList<string> WireNames { get; } = [.. Names.Values];

    public static string ToWire(this SessionStatus status) => Names[status];

    public static SessionStatus FromWire(string name) =>
        ByName.TryGetValue(name, out var status) ? status : throw new ArgumentOutOfRangeException(nameof(name), name, "not a session status");

    /// <summary>Takes turns and partial transcripts.</summary>
    public static bool IsOpen(this SessionStatus status) => status is SessionStatus.Started or SessionStatus.InProgress;

    /// <summary>Nothing in the session changes any more: no turn, no cut reply, no second ending.</summary>
    public static bool IsFinal(this SessionStatus status) => status is SessionStatus.Completed or SessionStatus.Failed;

    /// <summary>Refuses a new turn unless the session is open.</summary>
    public static void EnsureOpen(this CoachingSession session)
    {
        if (!session.Status.IsOpen())
        {
            throw Refused(session.Id, session.Status, "start a new session to keep talking");
        }
    }

    /// <summary>The same rule for a status read on its own.</summary>
    public static void EnsureOpen(this SessionStatus status, Guid sessionId)
    {
        if (!status.IsOpen())
        {
            throw Refused(sessionId, status, "start a new session to keep talking");
        }
    }

    /// <summary>Refuses a change to the session's messages (a barge-in cut) once it is final.</summary>
    public static void EnsureMessagesCanChange(this CoachingSession session)
    {
        if (session.Status.IsFinal())
        {
            throw Refused(session.Id, session.Status, "its messages can no longer change");
        }
    }

    /// <summary>Refuses ending a session twice.</summary>
    public static void EnsureCanEnd(this CoachingSession session)
    {
        if (session.Status.IsFinal())
        {
            throw new DomainStateException($"session {session.Id} is already {session.Status.ToWire()}", session.Status.ToWire());
        }
    }

    /// <summary>A user turn was stored: a started session is now in progress.</summary>
    public static void UserTurnTaken(this CoachingSession session)
    {
        session.EnsureOpen();
        session.Status = SessionStatus.InProgress;
    }

    /// <summary>
    /// Whether a session left idle may be closed by the service. The idle-session sweep does it in SQL
    /// (<c>coach_interrupt_idle_sessions</c>, from these same statuses), across users.
    /// </summary>
    public static bool CanBeInterrupted(this SessionStatus status) => status.IsOpen();

    /// <summary>An open session was left idle: it takes no more turns.</summary>
    public static void Interrupt(this CoachingSession session)
    {
        if (!session.Status.CanBeInterrupted())
        {
            throw Refused(session.Id, session.Status, "only an open session can be interrupted");
        }

        session.Status = SessionStatus.Interrupted;
    }

    /// <summary>The session was ended by its user.</summary>
    public static void Complete(this CoachingSession session, DateTimeOffset now)
    {
        session.EnsureCanEnd();
        session.Status = SessionStatus.Completed;
        session.CompletedAt = now;
        session.DurationSeconds = (int)Math.Max(0, (now - session.StartedAt).TotalSeconds);
    }

    private static DomainStateException Refused(Guid sessionId, SessionStatus status, string consequence) =>
        new($"session {sessionId} is {status.ToWire()}; {consequence}", status.ToWire());
}
