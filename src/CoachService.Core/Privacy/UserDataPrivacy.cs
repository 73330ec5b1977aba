using System.Text.Json;
using System.Text.Json.Nodes;
using CoachService.Persistence;
using CoachService.Privacy.Encryption;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Privacy;

/// <summary>
/// GDPR rights over a user's data (seed 000 export_user_data): a complete export as one JSON
/// document, and complete erasure. The export has one section per table, named like the table.
/// </summary>
public sealed class UserDataPrivacy(CoachDatabase database, UserKeyRing keys, TimeProvider time)
{
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    /// <summary>Every row the user owns, or null when the user does not exist.</summary>
    public Task<JsonObject?> ExportAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, async db =>
        {
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
            if (user is null)
            {
                return null;
            }

            var settings = await db.UserSettings.AsNoTracking().OrderBy(s => s.Key).ToListAsync(cancellationToken);
            var achievements = await db.UserAchievements.AsNoTracking()
                .Join(db.Achievements, ua => ua.AchievementId, a => a.Id, (ua, a) => new
                {
                    ua.Id, ua.UserId, ua.AchievementId, a.Code, a.Title, a.Description, a.Points, ua.AchievedValue, ua.EarnedAt,
                })
                .OrderBy(a => a.EarnedAt).ToListAsync(cancellationToken);

            return new JsonObject
            {
                ["format_version"] = FormatVersion,
                ["exported_at"] = time.GetUtcNow(),
                ["users"] = Rows([user]),
                ["coaching_preferences"] = Rows(await db.CoachingPreferences.AsNoTracking().ToListAsync(cancellationToken)),
                ["personality_assessments"] = Rows(await db.PersonalityAssessments.AsNoTracking().OrderBy(a => a.CompletedAt).ToListAsync(cancellationToken)),
                ["emotional_focus_categories"] = Rows(await db.EmotionalFocusCategories.AsNoTracking().OrderBy(c => c.Priority).ToListAsync(cancellationToken)),
                ["goals"] = Rows(await db.Goals.AsNoTracking().OrderBy(g => g.CreatedAt).ToListAsync(cancellationToken)),
                ["sessions"] = Rows(await db.Sessions.AsNoTracking().OrderBy(s => s.StartedAt).ToListAsync(cancellationToken)),
                ["messages"] = Rows(await db.Messages.AsNoTracking().OrderBy(m => m.SessionId).ThenBy(m => m.SequenceNumber).ToListAsync(cancellationToken)),
                ["message_emotions"] = Rows(await db.MessageEmotions.AsNoTracking().OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken)),
                ["session_metrics"] = Rows(await db.SessionMetrics.AsNoTracking().OrderBy(m => m.SessionId).ThenBy(m => m.Name).ToListAsync(cancellationToken)),
                ["streaks"] = Rows(await db.Streaks.AsNoTracking().OrderBy(s => s.StreakType).ToListAsync(cancellationToken)),
                ["virtues"] = Rows(await db.Virtues.AsNoTracking().OrderBy(v => v.FirstEarnedAt).ToListAsync(cancellationToken)),
                ["user_achievements"] = Rows(achievements),
                ["mood_checkins"] = Rows(await db.MoodCheckIns.AsNoTracking().OrderBy(m => m.RecordedAt).ToListAsync(cancellationToken)),
                // A reply being generated right now, and the rate-limit bucket: the user's too.
                ["turn_claims"] = Rows(await db.TurnClaims.AsNoTracking().OrderBy(c => c.ClaimedAt).ToListAsync(cancellationToken)),
                ["turn_buckets"] = Rows(await db.TurnBuckets.AsNoTracking().ToListAsync(cancellationToken)),
                ["user_settings"] = Rows(settings.Select(s => new
                {
                    s.Id, s.UserId, SettingKey = s.Key, SettingValue = JsonDocument.Parse(s.ValueJson).RootElement,
                    s.SettingType, s.CreatedAt, s.UpdatedAt,
                })),
            };
        }, cancellationToken);

    /// <summary>
    /// Deletes the user and, through the cascading foreign keys, every row they own; and records the
    /// erasure (<c>erased_users</c>) in the same transaction, so no token issued before it re-creates the account.
    /// Then destroys the user's data key (crypto-shredding): their text in database backups, WAL files
    /// and dumps taken before can no longer be decrypted. The key goes even when the rows were already
    /// gone, so an erasure whose key deletion failed is completed by asking again.
    /// </summary>
    /// <returns>False when there was no such user.</returns>
    public async Task<bool> EraseAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var erased = await database.ForUserAsync(userId, async db =>
        {
            await UserErasures.LockAsync(db, userId, cancellationToken);
            if (await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken) != 1)
            {
                return false;
            }

            await UserErasures.RecordAsync(db, userId, time.GetUtcNow(), cancellationToken);
            return true;
        }, cancellationToken);
        keys.Destroy(userId);
        return erased;
    }

    private static JsonArray Rows<T>(IEnumerable<T> rows) =>
        JsonSerializer.SerializeToNode(rows, Json)!.AsArray();
}
