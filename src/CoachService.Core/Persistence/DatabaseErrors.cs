using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore;
using Npgsql;

using CoachService;
using CoachService.Profiles;

namespace CoachService.Persistence;

/// <summary>
/// Turns PostgreSQL's constraint errors into messages that name the field. Constraint names follow
/// <c>ck_{table}_{field}</c> and <c>ux_{table}_{columns}</c> (see <see cref="CoachDbContext"/>).
/// </summary>
public static class DatabaseErrors
{
    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        ["ck_users_email"] = "email must be a non-empty, lower-case address",
        ["ck_users_preferred_language"] = Allowed("preferred_language", DomainValues.Languages),
        ["ck_personality_assessments_disc_type"] = Allowed("disc_type", DomainValues.DiscTypes),
        ["ck_personality_assessments_enneagram_type"] = "enneagram_type must be between 1 and 9",
        ["ck_personality_assessments_enneagram_wing"] = "enneagram_wing must be between 1 and 9 and next to the Enneagram type",
        ["ck_personality_assessments_confidence"] = "confidence must be between 0 and 1",
        ["ck_personality_assessments_enneagram_scores"] = "enneagram_scores must hold nine scores",
        ["ck_emotional_focus_categories_category"] = Allowed("category", DomainValues.EmotionalCategories),
        ["ck_emotional_focus_categories_priority"] = "priority must be between 1 and 5",
        ["ck_coaching_preferences_coach_persona"] = Allowed("coach_persona", Profiles.CoachPersona.All),
        ["ck_coaching_preferences_timing"] = Allowed("timing", DomainValues.Timings),
        ["ck_coaching_preferences_duration"] = Allowed("duration", DomainValues.Durations),
        ["ck_coaching_preferences_style"] = Allowed("style", DomainValues.Styles),
        ["ck_coaching_preferences_session_frequency"] = Allowed("session_frequency", DomainValues.SessionFrequencies),
        ["ck_goals_goal_type"] = Allowed("goal_type", DomainValues.GoalTypes),
        ["ck_goals_status"] = Allowed("status", DomainValues.GoalStatuses),
        ["ck_goals_source"] = Allowed("source", DomainValues.GoalSources),
        ["ck_goals_progress_percentage"] = "progress_percentage must be between 0 and 100",
        ["ck_goals_goal_text"] = "goal_text must be 1 to 2000 characters",
        ["ck_sessions_session_type"] = Allowed("session_type", DomainValues.SessionTypes),
        ["ck_sessions_status"] = Allowed("status", Sessions.SessionStatusRules.WireNames),
        ["ck_sessions_coach_persona"] = Allowed("coach_persona", Profiles.CoachPersona.All),
        ["ck_messages_role"] = Allowed("role", DomainValues.MessageRoles),
        ["ck_messages_kind"] = Allowed("kind", DomainValues.MessageKinds),
        ["ck_message_emotions_intensity"] = "intensity must be between 1 and 5",
        ["ck_message_emotions_confidence"] = "confidence must be between 0 and 1",
        ["ck_message_emotions_color"] = "color must look like #RRGGBB",
        ["ck_mood_checkins_intensity"] = "intensity must be between 1 and 10",
        ["ck_mood_checkins_mood"] = "mood must be 1 to 50 characters",
        ["ck_streaks_streak_type"] = Allowed("streak_type", DomainValues.StreakTypes),
        ["ck_user_settings_setting_type"] = Allowed("setting_type", DomainValues.SettingTypes),
        ["ck_messages_tokens"] = "input_tokens and output_tokens must not be negative",
        ["ck_messages_latency"] = "time_to_first_token_ms, time_to_first_sentence_ms and total_ms must not be negative",
        ["ck_messages_heard_content"] = "heard_content is only for assistant messages",
        ["ck_messages_actions"] = "actions is only for assistant messages, and is stored encrypted",
        ["ck_messages_prompt_hash"] = PromptHash,
        ["ck_message_emotions_prompt_hash"] = PromptHash,
        ["ck_personality_assessments_prompt_hash"] = PromptHash,
        ["ck_sessions_completed_at"] = "completed_at must not be before started_at",
        ["ck_virtues_last_earned_at"] = "last_earned_at must not be before first_earned_at",
        ["ck_streaks_longest_streak"] = "longest_streak must be at least current_streak",
        ["ux_users_email"] = "email is already registered",
        ["ux_emotional_focus_categories_user_id_category"] = "category is already one of your focus categories",
        ["ux_coaching_preferences_user_id"] = "coaching preferences already exist",
        ["ux_messages_session_id_client_turn_id_role"] = "client_turn_id was already used in this session",
        ["ux_session_metrics_session_id_metric_name"] = "metric_name is already recorded for this session",
        ["ux_virtues_user_id_name"] = "name is already in the virtue collection",
        ["ux_user_settings_user_id_setting_key"] = "setting_key already exists",
    };

    private const string PromptHash = "prompt_hash must be a SHA-256 in lower-case hexadecimal";

    /// <summary>
    /// The database could not be reached or dropped the connection (a restart, a failover, a network
    /// fault): trying again shortly may work. Npgsql marks these transient; EF Core may wrap them.
    /// </summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is NpgsqlException { IsTransient: true } || (exception.InnerException is { } inner && IsUnavailable(inner));

    public static bool TryTranslate(Exception exception, [NotNullWhen(true)] out Exception? translated)
    {
        translated = null;
        var postgres = exception as PostgresException ?? (exception as DbUpdateException)?.InnerException as PostgresException;
        if (postgres is null)
        {
            return false;
        }

        var constraint = postgres.ConstraintName ?? "";
        switch (postgres.SqlState)
        {
            case PostgresErrorCodes.CheckViolation:
                translated = new DomainValidationException(FieldOf(constraint),
                    Messages.GetValueOrDefault(constraint) ?? $"{FieldOf(constraint)} has a value that is not allowed ({constraint})");
                return true;
            case PostgresErrorCodes.UniqueViolation:
                translated = new DomainConflictException(FieldOf(constraint),
                    Messages.GetValueOrDefault(constraint) ?? $"a row with the same {FieldOf(constraint)} already exists ({constraint})");
                return true;
            case PostgresErrorCodes.NotNullViolation:
                translated = new DomainValidationException(postgres.ColumnName ?? "?", $"{postgres.ColumnName} is required");
                return true;
            case PostgresErrorCodes.ForeignKeyViolation when FieldOf(constraint) == "user_id":
                // A row for a user that no longer exists: the account was erased while its token lives on.
                translated = new DomainNotFoundException("user", "of this token");
                return true;
            case PostgresErrorCodes.ForeignKeyViolation:
                translated = new DomainValidationException(FieldOf(constraint), $"{FieldOf(constraint)} refers to something that does not exist");
                return true;
            case PostgresErrorCodes.InsufficientPrivilege:
                // Row level security refused a row: it belongs to someone else.
                var table = postgres.TableName ?? System.Text.RegularExpressions.Regex.Match(postgres.MessageText, "table \"(\\w+)\"").Groups[1].Value;
                translated = new DataAccessDeniedException($"the database refused a row of {(table.Length > 0 ? table : "a table")} that does not belong to the current user");
                return true;
            default:
                return false;
        }
    }

    /// <summary>ck_goals_progress_percentage → progress_percentage (the part after the table name).</summary>
    private static string FieldOf(string constraint)
    {
        foreach (var table in Tables)
        {
            foreach (var prefix in (string[])["ck_", "ux_", "fk_"])
            {
                var start = prefix + table + "_";
                if (constraint.StartsWith(start, StringComparison.Ordinal))
                {
                    var rest = constraint[start.Length..];
                    return prefix == "ux_" && rest.StartsWith("user_id_", StringComparison.Ordinal) ? rest["user_id_".Length..] : rest;
                }
            }
        }

        return constraint;
    }

    // Longest names first so that "user_settings" wins over "users".
    private static readonly string[] Tables =
    [
        "emotional_focus_categories", "personality_assessments", "coaching_preferences", "user_achievements",
        "message_emotions", "session_metrics", "mood_checkins", "user_settings", "achievements", "sessions",
        "messages", "streaks", "virtues", "goals", "users",
    ];

    private static string Allowed(string field, IEnumerable<string> values) =>
        $"{field} must be one of: {string.Join(", ", values)}";
}
