using CoachService.Goals;
using CoachService.Profiles;
using CoachService.Sessions;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CoachService.Persistence;

/// <summary>
/// A counter per user (striped: users share 4,096 counters by hash) that this instance's units of work move when they
/// change what a coaching turn's context is built from: the user's name or language, preferences, personality
/// assessments, goals, or a session's persona, metadata or key insights (a session's own status is checked where it is read). What was read before holds only while
/// the counter stands (<see cref="Conversations.CarriedContexts"/>). A shared counter moving for another user costs only
/// a look-up; writes by other instances or by raw SQL do not move it.
/// </summary>
public sealed class UserDataVersions
{
    private readonly long[] counters = new long[4096];

    public long Of(Guid userId) => Volatile.Read(ref counters[Stripe(userId)]);

    public void Changed(Guid userId) => Interlocked.Increment(ref counters[Stripe(userId)]);

    /// <summary>Whether the unit's pending changes touch a turn's context (an added session does not: it has none yet).</summary>
    public static bool TouchContext(ChangeTracker changes)
    {
        foreach (var entry in changes.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            switch (entry.Entity)
            {
                case User or CoachingPreferences or PersonalityAssessment or Goal:
                    return true;
                case CoachingSession when entry.State == EntityState.Deleted:
                    return true;
                case CoachingSession when entry.State == EntityState.Modified
                    && (entry.Property(nameof(CoachingSession.CoachPersona)).IsModified
                        || entry.Property(nameof(CoachingSession.Metadata)).IsModified
                        || entry.Property(nameof(CoachingSession.KeyInsights)).IsModified):
                    return true;
            }
        }

        return false;
    }

    private static int Stripe(Guid userId) => (userId.GetHashCode() & 0x7fffffff) % 4096;
}
