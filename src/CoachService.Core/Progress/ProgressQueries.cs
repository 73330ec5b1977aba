using CoachService.Persistence;
using CoachService.Profiles;
using CoachService.Sessions;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Progress;

/// <summary>
/// Seed 001's user_dashboard, for one user, "today" being the user's local date. Timing and persona
/// are the ones in force: the defaults (flexible, warm_friend) until the user chooses others.
/// </summary>
public sealed record UserDashboard(
    Guid UserId,
    string? Name,
    string PreferredLanguage,
    bool OnboardingCompleted,
    string? DiscType,
    int? EnneagramType,
    string Timing,
    string CoachPersona,
    int DailyStreak,
    int LongestDailyStreak,
    int TotalVirtues,
    int SessionsThisWeek,
    int ActiveGoals,
    int AchievementPoints);

/// <summary>Seed 001's get_session_summary over the last <see cref="Days"/> days (completed sessions only).</summary>
public sealed record SessionSummaryReport(
    int Days,
    int TotalSessions,
    decimal? AverageDurationMinutes,
    string? MostCommonVirtue,
    IReadOnlyList<string> DominantEmotions);

/// <summary>
/// An achievement of the catalogue and whether the user has it: <see cref="EarnedAt"/> and
/// <see cref="AchievedValue"/> (the measure when it was earned) are null until then.
/// </summary>
public sealed record AchievementView(
    string Code,
    string Title,
    string Description,
    string? Icon,
    AchievementCriteria Criteria,
    int Points,
    bool Earned,
    DateTimeOffset? EarnedAt,
    int? AchievedValue);

public sealed class ProgressQueries(CoachDatabase database, TimeProvider time)
{
    public Task<UserDashboard> GetDashboardAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, async db =>
        {
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainNotFoundException("user", userId);
            var today = UserClock.LocalDate(time.GetUtcNow(), user.Timezone);
            var profile = await db.PersonalityAssessments.NewestFirst()
                .Select(a => new { a.DiscType, a.EnneagramType })
                .FirstOrDefaultAsync(cancellationToken);
            // A user who never chose is coached with the defaults, so those are what the dashboard shows.
            var defaults = new CoachingPreferences();
            var preferences = await db.CoachingPreferences.AsNoTracking()
                .Select(p => new { p.Timing, p.CoachPersona }).SingleOrDefaultAsync(cancellationToken)
                ?? new { defaults.Timing, defaults.CoachPersona };
            var streak = await db.Streaks.AsNoTracking().SingleOrDefaultAsync(s => s.StreakType == "daily_session", cancellationToken);
            var streakState = streak is null
                ? StreakState.None
                : new StreakState(streak.CurrentStreak, streak.LongestStreak, streak.LastActivityDate, streak.StreakStartDate);
            var weekStart = today.AddDays(-6);

            return new UserDashboard(
                user.Id,
                user.Name,
                user.PreferredLanguage,
                user.OnboardingCompleted,
                profile?.DiscType,
                profile?.EnneagramType,
                preferences.Timing,
                preferences.CoachPersona,
                StreakRules.CurrentAsOf(streakState, today, StreakPeriod.Day),
                streakState.Longest,
                await db.Virtues.CountAsync(cancellationToken),
                await db.Sessions.WithUserTurns(db).CountAsync(s => s.SessionDate >= weekStart && s.SessionDate <= today, cancellationToken),
                await db.Goals.CountAsync(g => g.Status == "active", cancellationToken),
                user.AchievementPoints);
        }, cancellationToken);

    /// <summary>The user's virtue collection, most recently earned first.</summary>
    public Task<IReadOnlyList<Virtue>> ListVirtuesAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync<IReadOnlyList<Virtue>>(userId, async db => await db.Virtues.AsNoTracking()
            .OrderByDescending(v => v.LastEarnedAt).ThenBy(v => v.Name)
            .ToListAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// The active catalogue, and any retired achievement the user earned, with the user's awards:
    /// earned ones first (most recent first), then the rest by measure and target.
    /// </summary>
    public Task<IReadOnlyList<AchievementView>> ListAchievementsAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync<IReadOnlyList<AchievementView>>(userId, async db =>
        {
            // Only the user's own awards are visible here (row level security and the query filter).
            var earned = await db.UserAchievements.AsNoTracking()
                .ToDictionaryAsync(a => a.AchievementId, cancellationToken);
            var earnedIds = earned.Keys.ToList();
            var catalogue = await db.Achievements.AsNoTracking()
                .Where(a => a.IsActive || earnedIds.Contains(a.Id))
                .ToListAsync(cancellationToken);
            return catalogue
                .Select(a => (Achievement: a, Award: earned.GetValueOrDefault(a.Id)))
                .OrderByDescending(x => x.Award?.EarnedAt)
                .ThenBy(x => x.Achievement.Criteria.Type, StringComparer.Ordinal)
                .ThenBy(x => x.Achievement.Criteria.Target)
                .ThenBy(x => x.Achievement.Code, StringComparer.Ordinal)
                .Select(x => new AchievementView(
                    x.Achievement.Code, x.Achievement.Title, x.Achievement.Description, x.Achievement.Icon, x.Achievement.Criteria,
                    x.Achievement.Points, x.Award is not null, x.Award?.EarnedAt, x.Award?.AchievedValue))
                .ToList();
        }, cancellationToken);

    public Task<SessionSummaryReport> GetSessionSummaryAsync(Guid userId, int days = 30, CancellationToken cancellationToken = default)
    {
        if (days is < 1 or > 3660)
        {
            throw new DomainValidationException("days", "days must be between 1 and 3660");
        }

        return database.ForUserAsync(userId, async db =>
        {
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainNotFoundException("user", userId);
            var today = UserClock.LocalDate(time.GetUtcNow(), user.Timezone);
            var from = today.AddDays(-(days - 1));
            var sessions = await db.Sessions.AsNoTracking().CountedAsCompleted(db)
                .Where(s => s.SessionDate >= from && s.SessionDate <= today)
                .Select(s => new { s.DurationSeconds, s.VirtueEarned, s.EmotionalSnapshot })
                .ToListAsync(cancellationToken);

            var durations = sessions.Where(s => s.DurationSeconds is not null).Select(s => s.DurationSeconds!.Value).ToList();
            decimal? average = durations.Count == 0 ? null : Math.Round((decimal)durations.Average() / 60m, 1);
            var virtue = sessions.Where(s => s.VirtueEarned is not null)
                .GroupBy(s => s.VirtueEarned!)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key).FirstOrDefault();

            // Dominant: felt in the most sessions, then most intensely.
            var emotions = sessions.SelectMany(s => (s.EmotionalSnapshot ?? [])
                    .GroupBy(e => e.Emotion.ToLowerInvariant())
                    .Select(g => (Emotion: g.Key, Intensity: g.Max(e => e.Intensity))))
                .GroupBy(e => e.Emotion)
                .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Sum(e => e.Intensity)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Take(3).Select(g => g.Key).ToList();

            return new SessionSummaryReport(days, sessions.Count, average, virtue, emotions);
        }, cancellationToken);
    }
}
