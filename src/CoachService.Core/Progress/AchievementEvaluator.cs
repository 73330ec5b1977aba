using CoachService.Persistence;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Progress;

/// <summary>
/// Awards the catalogue's achievements whose criteria the user now meets (seed 000 check_achievements).
/// Each is earned once: the insert skips an existing award, and points are added only for a new one,
/// so two evaluations racing each other cannot award twice.
/// </summary>
public static class AchievementEvaluator
{
    public sealed record Measures(int SessionCount, int Streak, int VirtuesCollected, int TotalMinutes, int GoalsCompleted)
    {
        public int ValueOf(string criteriaType) => criteriaType switch
        {
            "session_count" => SessionCount,
            "streak" => Streak,
            "virtues_collected" => VirtuesCollected,
            "total_minutes" => TotalMinutes,
            "goals_completed" => GoalsCompleted,
            _ => 0,
        };
    }

    public static async Task<Measures> MeasureAsync(CoachDbContext db, CancellationToken cancellationToken)
    {
        var completed = db.Sessions.CountedAsCompleted(db);
        var sessionCount = await completed.CountAsync(cancellationToken);
        var totalSeconds = await completed.SumAsync(s => (long?)s.DurationSeconds, cancellationToken) ?? 0;
        var streak = await db.Streaks.Where(s => s.StreakType == "daily_session")
            .Select(s => (int?)s.CurrentStreak).SingleOrDefaultAsync(cancellationToken) ?? 0;
        var virtues = await db.Virtues.CountAsync(cancellationToken);
        var goals = await db.Goals.CountAsync(g => g.Status == "completed", cancellationToken);
        return new Measures(sessionCount, streak, virtues, (int)(totalSeconds / 60), goals);
    }

    /// <summary>Evaluates inside an open unit of work; pending changes must already be saved.</summary>
    public static async Task<IReadOnlyList<EarnedAchievement>> EvaluateAsync(
        CoachDbContext db, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var measures = await MeasureAsync(db, cancellationToken);
        var earnedIds = await db.UserAchievements.Select(a => a.AchievementId).ToListAsync(cancellationToken);
        var candidates = await db.Achievements.AsNoTracking()
            .Where(a => a.IsActive && !earnedIds.Contains(a.Id))
            .OrderBy(a => a.Code)
            .ToListAsync(cancellationToken);

        var earned = new List<EarnedAchievement>();
        foreach (var achievement in candidates)
        {
            var value = measures.ValueOf(achievement.Criteria.Type);
            if (value < achievement.Criteria.Target)
            {
                continue;
            }

            var inserted = await db.Database.SqlQuery<Guid>($"""
                INSERT INTO user_achievements (user_id, achievement_id, earned_at, achieved_value)
                VALUES ({userId}, {achievement.Id}, {now}, {value})
                ON CONFLICT (user_id, achievement_id) DO NOTHING
                RETURNING id AS "Value"
                """).ToListAsync(cancellationToken);
            if (inserted.Count == 0)
            {
                continue;
            }

            await db.Database.ExecuteSqlAsync(
                $"UPDATE users SET achievement_points = achievement_points + {achievement.Points} WHERE id = {userId}",
                cancellationToken);
            earned.Add(new EarnedAchievement(achievement.Code, achievement.Title, achievement.Points, value));
        }

        return earned;
    }
}
