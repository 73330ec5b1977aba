using CoachService.Persistence;
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

        if (personaOverride is not null && !Llm.Tasks.CoachPersona.All.Contains(personaOverride))
        {
            throw new DomainValidationException("coach_persona", $"coach_persona must be one of: {string.Join(", ", Llm.Tasks.CoachPersona.All)}");
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
}
