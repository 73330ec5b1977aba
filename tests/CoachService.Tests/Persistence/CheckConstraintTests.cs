using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Profiles;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Users;
using Npgsql;

namespace CoachService.Tests.Persistence;

public sealed class CheckConstraintTests
{
    /// <summary>Constraint, table, an assignment that breaks it, and the field the error must name.</summary>
    public static TheoryData<string, string, string, string> BadValues => new()
    {
        { "ck_users_email", "users", "email = 'Ana@Example.com'", "email" },
        { "ck_users_preferred_language", "users", "preferred_language = 'de'", "preferred_language" },
        { "ck_users_timezone", "users", "timezone = ''", "timezone" },
        { "ck_users_achievement_points", "users", "achievement_points = -1", "achievement_points" },
        { "ck_coaching_preferences_coach_persona", "coaching_preferences", "coach_persona = 'drill_sergeant'", "coach_persona" },
        { "ck_coaching_preferences_duration", "coaching_preferences", "duration = 'forever'", "duration" },
        { "ck_coaching_preferences_session_frequency", "coaching_preferences", "session_frequency = 'hourly'", "session_frequency" },
        { "ck_coaching_preferences_style", "coaching_preferences", "style = 'lecture'", "style" },
        { "ck_coaching_preferences_timing", "coaching_preferences", "timing = 'night_owl'", "timing" },
        { "ck_emotional_focus_categories_category", "emotional_focus_categories", "category = 'money'", "category" },
        { "ck_emotional_focus_categories_priority", "emotional_focus_categories", "priority = 6", "priority" },
        { "ck_mood_checkins_intensity", "mood_checkins", "intensity = 11", "intensity" },
        { "ck_mood_checkins_mood", "mood_checkins", "mood = ''", "mood" },
        { "ck_sessions_coach_persona", "sessions", "coach_persona = 'drill_sergeant'", "coach_persona" },
        { "ck_sessions_completed_at", "sessions", "completed_at = started_at - interval '1 hour'", "completed_at" },
        { "ck_sessions_duration_seconds", "sessions", "duration_seconds = -5", "duration_seconds" },
        { "ck_sessions_emotional_snapshot", "sessions", "emotional_snapshot = '{}'::jsonb", "emotional_snapshot" },
        { "ck_sessions_key_insights", "sessions", "key_insights = '\"x\"'::jsonb", "key_insights" },
        { "ck_sessions_session_type", "sessions", "session_type = 'podcast'", "session_type" },
        { "ck_sessions_status", "sessions", "status = 'paused'", "status" },
        { "ck_sessions_suggested_goals", "sessions", "suggested_goals = '{}'::jsonb", "suggested_goals" },
        { "ck_streaks_current_streak", "streaks", "current_streak = -1", "current_streak" },
        { "ck_streaks_longest_streak", "streaks", "longest_streak = 0", "longest_streak" },
        { "ck_streaks_streak_type", "streaks", "streak_type = 'yearly'", "streak_type" },
        { "ck_user_settings_setting_key", "user_settings", "setting_key = ''", "setting_key" },
        { "ck_user_settings_setting_type", "user_settings", "setting_type = 'secret'", "setting_type" },
        { "ck_goals_goal_text", "goals", "goal_text = ''", "goal_text" },
        { "ck_goals_goal_type", "goals", "goal_type = 'hobby'", "goal_type" },
        { "ck_goals_progress_percentage", "goals", "progress_percentage = 101", "progress_percentage" },
        { "ck_goals_source", "goals", "source = 'import'", "source" },
        { "ck_goals_status", "goals", "status = 'done'", "status" },
        { "ck_messages_client_turn_id", "messages", "client_turn_id = ''", "client_turn_id" },
        { "ck_messages_heard_content", "messages", "heard_content = 'Hel'", "heard_content" },
        { "ck_messages_actions", "messages", "actions = '{}'::jsonb", "actions" },
        { "ck_messages_prompt_hash", "messages", "prompt_hash = 'ABC'", "prompt_hash" },
        { "ck_messages_kind", "messages", "kind = 'joke'", "kind" },
        { "ck_messages_latency", "messages", "total_ms = -1", "latency" },
        { "ck_messages_role", "messages", "role = 'bot'", "role" },
        { "ck_messages_sequence_number", "messages", "sequence_number = 0", "sequence_number" },
        { "ck_messages_tokens", "messages", "input_tokens = -1", "tokens" },
        { "ck_personality_assessments_confidence", "personality_assessments", "confidence = 1.5", "confidence" },
        { "ck_personality_assessments_prompt_hash", "personality_assessments", "prompt_hash = repeat('g', 64)", "prompt_hash" },
        { "ck_personality_assessments_disc_type", "personality_assessments", "disc_type = 'X'", "disc_type" },
        { "ck_personality_assessments_enneagram_scores", "personality_assessments", "enneagram_scores = '[0.1, 0.2]'", "enneagram_scores" },
        { "ck_personality_assessments_enneagram_type", "personality_assessments", "enneagram_type = 10, enneagram_wing = NULL", "enneagram_type" },
        { "ck_personality_assessments_enneagram_wing", "personality_assessments", "enneagram_wing = 4", "enneagram_wing" },
        { "ck_session_metrics_metric_name", "session_metrics", "metric_name = ''", "metric_name" },
        { "ck_virtues_last_earned_at", "virtues", "last_earned_at = first_earned_at - interval '1 day'", "last_earned_at" },
        { "ck_virtues_name", "virtues", "name = ''", "name" },
        { "ck_virtues_times_earned", "virtues", "times_earned = 0", "times_earned" },
        { "ck_message_emotions_color", "message_emotions", "color = 'red'", "color" },
        { "ck_message_emotions_prompt_hash", "message_emotions", "prompt_hash = upper(repeat('ab', 32))", "prompt_hash" },
        { "ck_message_emotions_confidence", "message_emotions", "confidence = 2", "confidence" },
        { "ck_message_emotions_emotion", "message_emotions", "emotion = ''", "emotion" },
        { "ck_message_emotions_intensity", "message_emotions", "intensity = 6", "intensity" },
        { "ck_achievements_criteria", "achievements", "criteria = '{\"type\": \"logins\", \"target\": 1}'", "criteria" },
        { "ck_achievements_points", "achievements", "points = -1", "points" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task Each_check_rejects_its_bad_value_and_the_error_names_the_field(string constraint, string table, string assignment, string field)
    {
        var fixture = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        var (database, userId) = fixture;

        // Through the app role with the user set: the row is the user's own, so only the CHECK can refuse it.
        var sql = table == "achievements"
            ? $"UPDATE achievements SET {assignment} WHERE code = 'first_session'"
            : $"UPDATE {table} SET {assignment} WHERE {(table == "users" ? "id" : "user_id")} = @u";
        await using var connection = table == "achievements" ? await database.OpenOwnerAsync() : await database.OpenAppAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.user_id', @u::text, true)", connection, transaction))
        {
            set.Parameters.AddWithValue("u", userId);
            await set.ExecuteNonQueryAsync();
        }

        await using var update = new NpgsqlCommand(sql, connection, transaction);
        update.Parameters.AddWithValue("u", userId);
        var error = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
        await transaction.RollbackAsync();

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Equal(constraint, error.ConstraintName);
        Assert.True(DatabaseErrors.TryTranslate(error, out var translated));
        var validation = Assert.IsType<DomainValidationException>(translated);
        Assert.Equal(field, validation.Field);
        Assert.Contains(field == "latency" ? "total_ms" : field == "tokens" ? "input_tokens" : field, validation.Message);
    }

    [Fact]
    public async Task Every_check_constraint_of_the_schema_has_a_bad_value_case()
    {
        var (database, _) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        await using var owner = await database.OpenOwnerAsync();
        await using var command = new NpgsqlCommand(
            "SELECT conname FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace", owner);
        var constraints = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                constraints.Add(reader.GetString(0));
            }
        }

        var covered = BadValues.Select(row => (string)row[0]).ToHashSet();
        var uncovered = constraints.Where(c => !covered.Contains(c)).ToList();
        Assert.True(uncovered.Count == 0, $"CHECK constraints without a bad-value case: {string.Join(", ", uncovered)}");
    }

    [Fact]
    public async Task The_service_maps_rejected_values_to_a_message_naming_the_field()
    {
        var (database, _) = await Fixture.Value.WaitAsync(TimeSpan.FromMinutes(2));
        var user = await database.Get<UserAccounts>().CreateAsync(new NewUser($"checks-{Guid.NewGuid():N}@example.com"));

        var enneagram = new PersonalityAssessmentResult("D", new DiscScores(0.7, 0.1, 0.1, 0.1), 10, 9,
            [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2], 0.8, ["Direct"]);
        var tooHigh = await Assert.ThrowsAsync<DomainValidationException>(
            () => database.Get<PersonalityProfiles>().RecordAsync(user.Id, enneagram, "transcript"));
        Assert.Equal("enneagram_type", tooHigh.Field);
        Assert.Contains("enneagram_type must be between 1 and 9", tooHigh.Message);

        var persona = await Assert.ThrowsAsync<DomainValidationException>(() => database.Get<CoachDatabase>().ForUserAsync(user.Id, db =>
        {
            db.CoachingPreferences.Add(new CoachingPreferences { UserId = user.Id, CoachPersona = "drill_sergeant" });
            return Task.CompletedTask;
        }));
        Assert.Equal("coach_persona", persona.Field);
        Assert.Contains("confident_coach, warm_friend, gentle_guide, wise_mentor", persona.Message);

        var session = await database.Get<CoachingSessions>().StartAsync(user.Id, "face_to_face");
        var intensity = await Assert.ThrowsAsync<DomainValidationException>(() => database.Get<CoachDatabase>().ForUserAsync(user.Id, db =>
        {
            var message = new Message { Id = Guid.NewGuid(), SessionId = session.Id, UserId = user.Id, SequenceNumber = 1, Role = "user", Content = "hi" };
            db.Messages.Add(message);
            db.MessageEmotions.Add(new MessageEmotion
            {
                UserId = user.Id, SessionId = session.Id, MessageId = message.Id, Emotion = "joy", Intensity = 6, Color = "#FFD700", Confidence = 0.5m,
            });
            return Task.CompletedTask;
        }));
        Assert.Equal("intensity", intensity.Field);

        // Nothing of the refused units of work was stored.
        Assert.Null(await database.Get<PersonalityProfiles>().GetCurrentAsync(user.Id));
    }

    private static readonly Lazy<Task<(CoachTestDatabase Database, Guid UserId)>> Fixture = new(async () =>
    {
        var database = await CoachTestDatabase.CreateAsync();
        await using var owner = await database.OpenOwnerAsync();
        var userId = await UserRows.SeedAsync(owner, "checks@example.com");
        return (database, userId);
    });
}
