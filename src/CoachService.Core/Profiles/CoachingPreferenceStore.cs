using System.Globalization;
using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Profiles;

/// <summary>
/// The whole set of coaching preferences as the user chooses them; a null chooses the default
/// (flexible, variable, mixed, warm_friend, daily, reminders on, no voice, no focus area, no time).
/// </summary>
/// <param name="PreferredSessionTime">A time of day as HH:mm, in the user's time zone.</param>
public sealed record PreferenceChoices(
    string? Timing = null,
    string? Duration = null,
    string? Style = null,
    string? CoachPersona = null,
    string? TtsVoiceId = null,
    string? FocusArea = null,
    string? SessionFrequency = null,
    string? PreferredSessionTime = null,
    bool? RemindersEnabled = null);

/// <summary>The preferences in force; <see cref="UpdatedAt"/> is null while the user never chose any.</summary>
public sealed record PreferencesView(
    string Timing,
    string Duration,
    string Style,
    string CoachPersona,
    string? TtsVoiceId,
    string? FocusArea,
    string SessionFrequency,
    string? PreferredSessionTime,
    bool RemindersEnabled,
    DateTimeOffset? UpdatedAt);

/// <summary>Reads and replaces the user's coaching preferences (one row per user, made on first save).</summary>
public sealed class CoachingPreferenceStore(CoachDatabase database, TimeProvider time)
{
    private const string TimeFormat = "HH:mm";

    public Task<PreferencesView> GetAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, async db =>
            View(await db.CoachingPreferences.AsNoTracking().SingleOrDefaultAsync(cancellationToken) ?? new CoachingPreferences()),
            cancellationToken);

    /// <summary>Replaces every preference. All values are checked, and every bad one named, before the database is touched.</summary>
    public Task<PreferencesView> SaveAsync(Guid userId, PreferenceChoices choices, CancellationToken cancellationToken = default)
    {
        var defaults = new CoachingPreferences();
        var errors = new ValidationErrors();
        var timing = OneOf(errors, "timing", choices.Timing ?? defaults.Timing, DomainValues.Timings);
        var duration = OneOf(errors, "duration", choices.Duration ?? defaults.Duration, DomainValues.Durations);
        var style = OneOf(errors, "style", choices.Style ?? defaults.Style, DomainValues.Styles);
        var persona = OneOf(errors, "coach_persona", choices.CoachPersona ?? defaults.CoachPersona, Profiles.CoachPersona.All);
        var frequency = OneOf(errors, "session_frequency", choices.SessionFrequency ?? defaults.SessionFrequency, DomainValues.SessionFrequencies);
        var voice = ShortText(errors, "tts_voice_id", choices.TtsVoiceId);
        var focus = ShortText(errors, "focus_area", choices.FocusArea);
        TimeOnly? sessionTime = null;
        if (choices.PreferredSessionTime is { } text
            && errors.Require(TimeOnly.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed),
                "preferred_session_time", "preferred_session_time must be a time of day as HH:mm, such as 07:30"))
        {
            sessionTime = parsed;
        }

        errors.ThrowIfAny();
        return database.ForUserAsync(userId, async db =>
        {
            var now = time.GetUtcNow();
            var row = await db.CoachingPreferences.SingleOrDefaultAsync(cancellationToken);
            if (row is null)
            {
                row = new CoachingPreferences { UserId = userId, CreatedAt = now };
                db.CoachingPreferences.Add(row);
            }

            row.Timing = timing;
            row.Duration = duration;
            row.Style = style;
            row.CoachPersona = persona;
            row.TtsVoiceId = voice;
            row.FocusArea = focus;
            row.SessionFrequency = frequency;
            row.PreferredSessionTime = sessionTime;
            row.RemindersEnabled = choices.RemindersEnabled ?? defaults.RemindersEnabled;
            row.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            return View(row);
        }, cancellationToken);
    }

    private static PreferencesView View(CoachingPreferences row) => new(
        row.Timing, row.Duration, row.Style, row.CoachPersona, row.TtsVoiceId, row.FocusArea, row.SessionFrequency,
        row.PreferredSessionTime?.ToString(TimeFormat, CultureInfo.InvariantCulture), row.RemindersEnabled,
        row.UserId == Guid.Empty ? null : row.UpdatedAt);

    private static string OneOf(ValidationErrors errors, string field, string value, IReadOnlyList<string> allowed)
    {
        errors.Require(allowed.Contains(value), field, $"{field} must be one of: {string.Join(", ", allowed)}");
        return value;
    }

    private static string? ShortText(ValidationErrors errors, string field, string? value)
    {
        var trimmed = value?.Trim();
        errors.Require(trimmed is not { Length: > 200 }, field, $"{field} must be at most 200 characters");
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }
}
