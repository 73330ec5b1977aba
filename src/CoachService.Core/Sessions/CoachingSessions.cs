using CoachService.Persistence;
using CoachService.Profiles;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Sessions;

/// <summary>Starts sessions and reads them back, for the current user only.</summary>
public sealed class CoachingSessions(CoachDatabase database, TimeProvider time)
{
    public Task<CoachingSession> StartAsync(Guid userId, string sessionType, string? personaOverride = null, CancellationToken cancellationToken = default)
    {
        if (!DomainValues.SessionTypes.Contains(sessionType))
        {
            throw new DomainValidationException("session_type", $"session_type must be one of: {string.Join(", ", DomainValues.SessionTypes)}");
        }

        if (personaOverride is not null && !Profiles.CoachPersona.All.Contains(personaOverride))
        {
            throw new DomainValidationException("persona", $"persona must be one of: {string.Join(", ", Profiles.CoachPersona.All)}");
        }

        return database.ForUserAsync(userId, async db =>
        {
            var user = await db.Users.SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainNotFoundException("user", userId);
            var now = time.GetUtcNow();
            var session = new CoachingSession
            {
                Id = Guid.CreateVersion7(now),
                UserId = userId,
                SessionType = sessionType,
                CoachPersona = personaOverride,
                StartedAt = now,
                CreatedAt = now,
                SessionDate = UserClock.LocalDate(now, user.Timezone),
            };
            db.Sessions.Add(session);
            return session;
        }, cancellationToken);
    }

    public const int MaxPageSize = 100;

    /// <summary>The user's sessions, newest first; <paramref name="page"/> counts from 1.</summary>
    public Task<SessionPage> ListAsync(Guid userId, int page = 1, int pageSize = 20, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        // Named as the query parameters the client sends (?page=1&pageSize=20).
        var pageSizeIsValid = errors.Require(pageSize is >= 1 and <= MaxPageSize, "pageSize", $"pageSize must be between 1 and {MaxPageSize}");
        if (errors.Require(page >= 1, "page", "page must be 1 or more") && pageSizeIsValid)
        {
            // Beyond this the number of rows to skip, (page - 1) * pageSize, no longer fits an int.
            var lastPage = int.MaxValue / pageSize;
            errors.Require(page <= lastPage, "page", $"page must be at most {lastPage} for pageSize {pageSize}");
        }

        errors.ThrowIfAny();

        return database.ForUserAsync(userId, async db =>
        {
            var total = await db.Sessions.CountAsync(cancellationToken);
            var items = await db.Sessions.AsNoTracking()
                .OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .Select(s => new SessionListItem(
                    s.Id, s.SessionType, s.Status.ToWire(), s.CoachPersona, s.StartedAt, s.CompletedAt, s.DurationSeconds, s.SessionDate,
                    s.VirtueEarned, db.Messages.Count(m => m.SessionId == s.Id)))
                .ToListAsync(cancellationToken);
            return new SessionPage(items, page, pageSize, total);
        }, cancellationToken);
    }

    /// <summary>The session with its messages, or null when the user has no such session.</summary>
    public Task<SessionDetail?> GetDetailAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, async db =>
        {
            var s = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
            if (s is null)
            {
                return null;
            }

            var metrics = await db.SessionMetrics.AsNoTracking()
                .Where(m => m.SessionId == sessionId).OrderBy(m => m.Name)
                .Select(m => new SessionMetricView(m.Name, m.Value, m.Unit))
                .ToListAsync(cancellationToken);
            var messages = await db.Messages.AsNoTracking()
                .Where(m => m.SessionId == sessionId).OrderBy(m => m.SequenceNumber)
                .Select(m => SessionMessage.Of(m))
                .ToListAsync(cancellationToken);
            return new SessionDetail(
                s.Id, s.SessionType, s.Status.ToWire(), s.CoachPersona, s.StartedAt, s.CompletedAt, s.DurationSeconds, s.SessionDate, s.VirtueEarned,
                s.EmotionalSnapshot ?? [], s.KeyInsights ?? [], s.SuggestedGoals ?? [], metrics, messages);
        }, cancellationToken);
}
