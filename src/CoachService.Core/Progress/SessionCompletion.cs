using CoachService.Goals;
using CoachService.Persistence;
using CoachService.Sessions;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Progress;

/// <summary>What the session summary produced; every part is optional.</summary>
public sealed record SessionOutcome(
    VirtueEarned? Virtue = null,
    IReadOnlyList<EmotionReading>? EmotionalSnapshot = null,
    IReadOnlyList<KeyInsight>? KeyInsights = null,
    IReadOnlyList<SuggestedGoal>? SuggestedGoals = null,
    IReadOnlyDictionary<string, string>? Metadata = null);

public sealed record EarnedAchievement(string Code, string Title, int Points, int AchievedValue);

public sealed record SessionCompleted(
    Guid SessionId,
    DateOnly ActivityDate,
    int DurationSeconds,
    StreakState DailyStreak,
    IReadOnlyList<EarnedAchievement> NewAchievements);

/// <summary>
/// Ends a session and brings the user's progress up to date in the same transaction: the virtue
/// collection, the daily and monthly-virtue streaks (seed 000 semantics, in the user's time zone)
/// and the achievements.
/// </summary>
public sealed class SessionCompletion(CoachDatabase database, TimeProvider time)
{
    public Task<SessionCompleted> CompleteAsync(Guid userId, Guid sessionId, SessionOutcome outcome, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, db => CompleteAsync(db, sessionId, outcome, time.GetUtcNow(), cancellationToken), cancellationToken);

    /// <summary>Inside an open unit of work (for callers that store more in the same transaction).</summary>
    public static async Task<SessionCompleted> CompleteAsync(
        CoachDbContext db, Guid sessionId, SessionOutcome outcome, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
            ?? throw new DomainNotFoundException("session", sessionId);
        session.EnsureCanEnd();
        var user = await db.Users.SingleAsync(cancellationToken);
        var activityDate = UserClock.LocalDate(now, user.Timezone);

        session.Complete(now);
        session.VirtueEarned = outcome.Virtue?.Name;
        session.EmotionalSnapshot = outcome.EmotionalSnapshot?.ToList();
        session.KeyInsights = outcome.KeyInsights?.ToList();
        session.SuggestedGoals = outcome.SuggestedGoals?.ToList();
        foreach (var (key, value) in outcome.Metadata ?? new Dictionary<string, string>())
        {
            session.Metadata[key] = value;
        }

        if (!await db.Messages.AnyAsync(m => m.SessionId == sessionId && m.Role == "user", cancellationToken))
        {
            // Opened and closed without a word from the user: it is closed, and earns nothing.
            await db.SaveChangesAsync(cancellationToken);
            return new SessionCompleted(session.Id, activityDate, session.DurationSeconds ?? 0, await StreakOfAsync(db, "daily_session", cancellationToken), []);
        }

        if (outcome.Virtue is { } virtue)
        {
            await CollectVirtueAsync(db, user.Id, session.Id, virtue, now, cancellationToken);
            await AdvanceStreakAsync(db, user.Id, "monthly_virtue", activityDate, now, cancellationToken);
        }

        var daily = await AdvanceStreakAsync(db, user.Id, "daily_session", activityDate, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var earned = await AchievementEvaluator.EvaluateAsync(db, user.Id, now, cancellationToken);
        return new SessionCompleted(session.Id, activityDate, session.DurationSeconds ?? 0, daily, earned);
    }

    private static async Task<StreakState> StreakOfAsync(CoachDbContext db, string streakType, CancellationToken cancellationToken) =>
        await db.Streaks.AsNoTracking().Where(s => s.StreakType == streakType)
            .Select(s => new StreakState(s.CurrentStreak, s.LongestStreak, s.LastActivityDate, s.StreakStartDate))
            .SingleOrDefaultAsync(cancellationToken)
        ?? new StreakState(0, 0, null, null);

    internal static async Task<StreakState> AdvanceStreakAsync(
        CoachDbContext db, Guid userId, string streakType, DateOnly activityDate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var streak = await db.Streaks.SingleOrDefaultAsync(s => s.StreakType == streakType, cancellationToken);
        if (streak is null)
        {
            streak = new Streak { UserId = userId, StreakType = streakType, CreatedAt = now };
            db.Streaks.Add(streak);
        }

        var state = new StreakState(streak.CurrentStreak, streak.LongestStreak, streak.LastActivityDate, streak.StreakStartDate);
        var next = StreakRules.Advance(state, activityDate, StreakRules.PeriodOf(streakType));
        streak.CurrentStreak = next.Current;
        streak.LongestStreak = next.Longest;
        streak.LastActivityDate = next.LastActivity;
        streak.StreakStartDate = next.Start;
        streak.UpdatedAt = now;
        return next;
    }

    private static async Task CollectVirtueAsync(
        CoachDbContext db, Guid userId, Guid sessionId, VirtueEarned virtue, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = virtue.Name.Trim().ToLowerInvariant();
        var collected = await db.Virtues.SingleOrDefaultAsync(v => v.Name == name, cancellationToken);
        if (collected is null)
        {
            db.Virtues.Add(new Virtue
            {
                UserId = userId,
                Name = name,
                Description = virtue.Description,
                FirstSessionId = sessionId,
                FirstEarnedAt = now,
                LastEarnedAt = now,
            });
            return;
        }

        collected.TimesEarned++;
        collected.LastEarnedAt = now;
    }
}
