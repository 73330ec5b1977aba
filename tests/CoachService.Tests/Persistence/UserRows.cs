using Npgsql;

namespace CoachService.Tests.Persistence;

/// <summary>Writes one row of every user-owned table for a user, straight through SQL as the owner.</summary>
internal static class UserRows
{
    /// <summary>The tables <see cref="SeedAsync"/> fills, with the column that names the user.</summary>
    public static readonly IReadOnlyList<(string Table, string UserColumn)> Tables =
    [
        ("users", "id"), ("user_settings", "user_id"), ("personality_assessments", "user_id"),
        ("emotional_focus_categories", "user_id"), ("coaching_preferences", "user_id"), ("goals", "user_id"),
        ("sessions", "user_id"), ("messages", "user_id"), ("message_emotions", "user_id"), ("session_metrics", "user_id"),
        ("streaks", "user_id"), ("virtues", "user_id"), ("user_achievements", "user_id"), ("mood_checkins", "user_id"),
        ("turn_claims", "user_id"), ("turn_buckets", "user_id"),
    ];

    public static async Task<Guid> SeedAsync(NpgsqlConnection owner, string email)
    {
        var user = Guid.NewGuid();
        var session = Guid.NewGuid();
        var message = Guid.NewGuid();
        await using var command = new NpgsqlCommand("""
            INSERT INTO users (id, email, name, timezone) VALUES (@u, @email, 'Test', 'Europe/Lisbon');
            INSERT INTO user_settings (user_id, setting_key, setting_value) VALUES (@u, 'theme', '"dark"');
            INSERT INTO sessions (id, user_id, session_type, session_date, emotional_snapshot)
                VALUES (@s, @u, 'face_to_face', current_date, '[{"emotion":"calm","intensity":2,"color":"#88CCEE","confidence":0.7}]');
            INSERT INTO personality_assessments (user_id, session_id, disc_type, enneagram_type, enneagram_wing, confidence)
                VALUES (@u, @s, 'I', 7, 8, 0.80);
            INSERT INTO emotional_focus_categories (user_id, category, priority) VALUES (@u, 'stress_management', 2);
            INSERT INTO coaching_preferences (user_id, coach_persona) VALUES (@u, 'wise_mentor');
            INSERT INTO goals (user_id, goal_text) VALUES (@u, 'Walk every morning');
            INSERT INTO messages (id, session_id, user_id, sequence_number, role, content) VALUES (@m, @s, @u, 1, 'user', 'Hello coach');
            INSERT INTO message_emotions (user_id, session_id, message_id, emotion, intensity, color, confidence)
                VALUES (@u, @s, @m, 'hopeful', 3, '#FFCC00', 0.60);
            INSERT INTO session_metrics (session_id, user_id, metric_name, metric_value, metric_unit) VALUES (@s, @u, 'turns', 1, 'count');
            INSERT INTO streaks (user_id, streak_type, current_streak, longest_streak) VALUES (@u, 'daily_session', 1, 1);
            INSERT INTO virtues (user_id, name, first_session_id) VALUES (@u, 'courage', @s);
            INSERT INTO user_achievements (user_id, achievement_id, achieved_value)
                SELECT @u, id, 1 FROM achievements WHERE code = 'first_session';
            INSERT INTO mood_checkins (user_id, mood, intensity, triggers) VALUES (@u, 'content', 6, '["work"]');
            INSERT INTO turn_claims (session_id, user_id, turn_id, user_sequence, owner_key, claimed_at) VALUES (@s, @u, 't1', 1, 42, now());
            INSERT INTO turn_buckets (user_id, tokens, updated_at) VALUES (@u, 4, now());
            """, owner);
        command.Parameters.AddWithValue("u", user);
        command.Parameters.AddWithValue("s", session);
        command.Parameters.AddWithValue("m", message);
        command.Parameters.AddWithValue("email", email);
        await command.ExecuteNonQueryAsync();
        return user;
    }
}
