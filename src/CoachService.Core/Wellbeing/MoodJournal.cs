using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Wellbeing;

/// <summary>What a mood check-in says: a mood word or phrase, how strong (1..10), optional context and triggers.</summary>
public sealed record NewMoodCheckIn(string? Mood, int Intensity, string? Context = null, IReadOnlyList<string>? Triggers = null);

/// <summary>The user's mood check-ins.</summary>
public sealed class MoodJournal(CoachDatabase database, TimeProvider time)
{
    public const int MaxTriggers = 20;

    /// <summary>Records a check-in; every value is checked, and every bad one named, before the database is touched.</summary>
    public Task<MoodCheckIn> RecordAsync(Guid userId, NewMoodCheckIn request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var mood = request.Mood?.Trim() ?? "";
        errors.Require(mood.Length is >= 1 and <= 50, "mood", "mood must be 1 to 50 characters");
        errors.Require(request.Intensity is >= 1 and <= 10, "intensity", "intensity must be between 1 and 10");
        var context = request.Context?.Trim();
        errors.Require(context is not { Length: > 2000 }, "context", "context must be at most 2000 characters");
        var triggers = (request.Triggers ?? []).Select(t => t?.Trim() ?? "").ToList();
        errors.Require(triggers.Count <= MaxTriggers && triggers.All(t => t.Length is >= 1 and <= 100),
            "triggers", $"triggers must be at most {MaxTriggers} words or phrases of 1 to 100 characters");
        errors.ThrowIfAny();

        return database.ForUserAsync(userId, db =>
        {
            var now = time.GetUtcNow();
            var checkIn = new MoodCheckIn
            {
                Id = Guid.CreateVersion7(now),
                UserId = userId,
                Mood = mood,
                Intensity = request.Intensity,
                Context = string.IsNullOrEmpty(context) ? null : context,
                Triggers = triggers,
                RecordedAt = now,
            };
            db.MoodCheckIns.Add(checkIn);
            return Task.FromResult(checkIn);
        }, cancellationToken);
    }

    /// <summary>Check-ins of the last <paramref name="days"/> days (1..3660), newest first.</summary>
    public Task<IReadOnlyList<MoodCheckIn>> ListAsync(Guid userId, int days = 30, CancellationToken cancellationToken = default)
    {
        if (days is < 1 or > 3660)
        {
            throw new DomainValidationException("days", "days must be between 1 and 3660");
        }

        var since = time.GetUtcNow().AddDays(-days);
        return database.ForUserAsync<IReadOnlyList<MoodCheckIn>>(userId, async db => await db.MoodCheckIns.AsNoTracking()
            .Where(m => m.RecordedAt >= since)
            .OrderByDescending(m => m.RecordedAt).ThenByDescending(m => m.Id)
            .ToListAsync(cancellationToken), cancellationToken);
    }
}
