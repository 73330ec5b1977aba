using CoachService.Persistence;

namespace CoachService.Sessions;

/// <summary>Which sessions count for the user's progress.</summary>
public static class SessionQueries
{
    /// <summary>
    /// Sessions in which the user said something. A session opened and closed without a user turn earns
    /// no streak, no achievement and no place in the session counts.
    /// </summary>
    public static IQueryable<CoachingSession> WithUserTurns(this IQueryable<CoachingSession> sessions, CoachDbContext db) =>
        sessions.Where(s => db.Messages.Any(m => m.SessionId == s.Id && m.Role == "user"));

    /// <summary>Completed sessions with at least one user turn: the ones achievements and summaries count.</summary>
    public static IQueryable<CoachingSession> CountedAsCompleted(this IQueryable<CoachingSession> sessions, CoachDbContext db) =>
        sessions.Where(s => s.Status == SessionStatus.Completed).WithUserTurns(db);
}
