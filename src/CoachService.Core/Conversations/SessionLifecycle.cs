using CoachService.Persistence;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CoachService.Conversations;

/// <summary>Starting and resuming coaching sessions; <see cref="SessionEnding"/> ends them.</summary>
public sealed class SessionLifecycle(
    CoachDatabase database,
    CoachingSessions sessions,
    CarriedContexts carried,
    TurnRateLimiter limiter,
    IOptions<CoachingOptions> options)
{
    /// <summary>
    /// Starts a session and reads, in the unit that resolves its persona, what its first turn will be built from
    /// (kept in <see cref="CarriedContexts"/>, so that turn's model request need not wait for the database).
    /// </summary>
    public async Task<SessionStarted> StartAsync(Guid userId, string sessionType, string? persona, CancellationToken cancellationToken)
    {
        var session = await sessions.StartAsync(userId, sessionType, persona, cancellationToken);
        var version = carried.VersionOf(userId);
        var resolved = await database.ForUserAsync(userId, async db =>
        {
            // Onboarding sessions ask assessment questions, which carry no context.
            if (options.Value.CarriedContexts > 0 && session.SessionType != "onboarding_assessment"
                && await ConversationContext.FindTurnAsync(db, session.Id, "", options.Value.RecentInsightSessions, cancellationToken)
                    is { Session: { } started, LastSequence: null } found)
            {
                var first = await ConversationContext.BuildAsync(db, started, found.About, 1, "", options.Value, cancellationToken, earlier: []);
                carried.Prime(userId, session.Id, first.Inputs, await limiter.PermitsAsync(db, userId, cancellationToken), version);
                return first.Persona;
            }

            return await ConversationContext.PersonaOfAsync(db, session, cancellationToken);
        }, cancellationToken);
        return new SessionStarted(session.Id, session.SessionType, resolved, session.Status.ToWire(), session.StartedAt, session.SessionDate);
    }

    /// <summary>The session's messages after <paramref name="afterSequence"/>, for a client that reconnected.</summary>
    public Task<SessionResumed> ResumeAsync(Guid userId, Guid sessionId, int afterSequence, CancellationToken cancellationToken)
    {
        if (afterSequence < 0)
        {
            throw new DomainValidationException("after_sequence", "after_sequence must not be negative");
        }

        return database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
                ?? throw new DomainNotFoundException("session", sessionId);
            var messages = await db.Messages.AsNoTracking()
                .Where(m => m.SessionId == sessionId && m.SequenceNumber > afterSequence)
                .OrderBy(m => m.SequenceNumber)
                .Select(m => SessionMessage.Of(m))
                .ToListAsync(cancellationToken);
            // The claim, not this instance's memory: the turn may be answered by another instance.
            var streaming = await db.TurnClaims.Where(c => c.SessionId == sessionId).Select(c => c.TurnId).SingleOrDefaultAsync(cancellationToken);
            return new SessionResumed(sessionId, session.Status.ToWire(), await ConversationContext.PersonaOfAsync(db, session, cancellationToken), messages, streaming);
        }, cancellationToken);
    }
}
