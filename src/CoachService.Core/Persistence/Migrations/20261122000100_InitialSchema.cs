using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CoachService.Persistence.Migrations
{
    /// <summary>
    /// The whole coaching domain. The tables, keys, CHECK constraints and indexes are what
    /// <c>dotnet ef migrations add</c> generated from <see cref="CoachDbContext"/>; after them comes,
    /// as SQL, what the model cannot express: the updated_at triggers, row level security keyed on
    /// the transaction-local setting app.user_id, the role the service works as, its grants and the
    /// starter achievement catalogue. The id is the one the hand-written first migration had, whose
    /// schema this equals, so databases it created see this one as applied.
    /// </summary>
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "achievements",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    code = table.Column<string>(type: "text", nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    icon = table.Column<string>(type: "text", nullable: true),
                    criteria = table.Column<string>(type: "jsonb", nullable: false),
                    points = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    is_active = table.Column<bool>(type: "boolean", nullable: false, defaultValue: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_achievements", x => x.id);
                    table.CheckConstraint("ck_achievements_criteria", "jsonb_typeof(criteria) = 'object' AND (criteria ->> 'type') IN ('session_count', 'streak', 'virtues_collected', 'total_minutes', 'goals_completed') AND jsonb_typeof(criteria -> 'target') = 'number' AND (criteria ->> 'target')::numeric >= 1");
                    table.CheckConstraint("ck_achievements_points", "points >= 0");
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    email = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    preferred_language = table.Column<string>(type: "text", nullable: false, defaultValue: "en"),
                    timezone = table.Column<string>(type: "text", nullable: false, defaultValue: "UTC"),
                    onboarding_completed = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    achievement_points = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                    table.CheckConstraint("ck_users_achievement_points", "achievement_points >= 0");
                    table.CheckConstraint("ck_users_email", "email <> '' AND email = lower(email)");
                    table.CheckConstraint("ck_users_preferred_language", "preferred_language IN ('en', 'pt', 'es', 'fr')");
                    table.CheckConstraint("ck_users_timezone", "timezone <> ''");
                });

            migrationBuilder.CreateTable(
                name: "coaching_preferences",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    timing = table.Column<string>(type: "text", nullable: false, defaultValue: "flexible"),
                    duration = table.Column<string>(type: "text", nullable: false, defaultValue: "variable"),
                    style = table.Column<string>(type: "text", nullable: false, defaultValue: "mixed"),
                    coach_persona = table.Column<string>(type: "text", nullable: false, defaultValue: "warm_friend"),
                    tts_voice_id = table.Column<string>(type: "text", nullable: true),
                    focus_area = table.Column<string>(type: "text", nullable: true),
                    session_frequency = table.Column<string>(type: "text", nullable: false, defaultValue: "daily"),
                    preferred_session_time = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    reminders_enabled = table.Column<bool>(type: "boolean", nullable: false, defaultValue: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_coaching_preferences", x => x.id);
                    table.CheckConstraint("ck_coaching_preferences_coach_persona", "coach_persona IN ('confident_coach', 'warm_friend', 'gentle_guide', 'wise_mentor')");
                    table.CheckConstraint("ck_coaching_preferences_duration", "duration IN ('quick_focused', 'deeper_dive', 'variable')");
                    table.CheckConstraint("ck_coaching_preferences_session_frequency", "session_frequency IN ('daily', 'weekdays', 'custom')");
                    table.CheckConstraint("ck_coaching_preferences_style", "style IN ('guided_structure', 'open_conversation', 'mixed')");
                    table.CheckConstraint("ck_coaching_preferences_timing", "timing IN ('morning_person', 'evening_person', 'flexible')");
                    table.ForeignKey(
                        name: "fk_coaching_preferences_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "emotional_focus_categories",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    category = table.Column<string>(type: "text", nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false, defaultValue: 1),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_emotional_focus_categories", x => x.id);
                    table.CheckConstraint("ck_emotional_focus_categories_category", "category IN ('stress_management', 'goal_achievement', 'relationships', 'self_worth', 'emotional_regulation', 'work_life_balance', 'personal_growth', 'mindfulness')");
                    table.CheckConstraint("ck_emotional_focus_categories_priority", "priority BETWEEN 1 AND 5");
                    table.ForeignKey(
                        name: "fk_emotional_focus_categories_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "mood_checkins",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    mood = table.Column<string>(type: "text", nullable: false),
                    intensity = table.Column<int>(type: "integer", nullable: false),
                    context = table.Column<string>(type: "text", nullable: true),
                    triggers = table.Column<List<string>>(type: "text[]", nullable: false, defaultValueSql: "'{}'::text[]"),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mood_checkins", x => x.id);
                    table.CheckConstraint("ck_mood_checkins_intensity", "intensity BETWEEN 1 AND 10");
                    table.CheckConstraint("ck_mood_checkins_mood", "length(mood) BETWEEN 1 AND 50");
                    table.ForeignKey(
                        name: "fk_mood_checkins_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sessions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    session_type = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "started"),
                    coach_persona = table.Column<string>(type: "text", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    duration_seconds = table.Column<int>(type: "integer", nullable: true),
                    session_date = table.Column<DateOnly>(type: "date", nullable: false),
                    virtue_earned = table.Column<string>(type: "text", nullable: true),
                    emotional_snapshot = table.Column<string>(type: "jsonb", nullable: true),
                    key_insights = table.Column<string>(type: "jsonb", nullable: true),
                    suggested_goals = table.Column<string>(type: "jsonb", nullable: true),
                    metadata = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'{}'::jsonb"),
                    safety_flagged = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sessions", x => x.id);
                    table.CheckConstraint("ck_sessions_coach_persona", "coach_persona IS NULL OR coach_persona IN ('confident_coach', 'warm_friend', 'gentle_guide', 'wise_mentor')");
                    table.CheckConstraint("ck_sessions_completed_at", "completed_at IS NULL OR completed_at >= started_at");
                    table.CheckConstraint("ck_sessions_duration_seconds", "duration_seconds IS NULL OR duration_seconds >= 0");
                    table.CheckConstraint("ck_sessions_emotional_snapshot", "emotional_snapshot IS NULL OR jsonb_typeof(emotional_snapshot) = 'array'");
                    table.CheckConstraint("ck_sessions_key_insights", "key_insights IS NULL OR jsonb_typeof(key_insights) = 'array'");
                    table.CheckConstraint("ck_sessions_session_type", "session_type IN ('face_to_face', 'spoken_presence', 'silent_reflection', 'written_clarity', 'onboarding_assessment')");
                    table.CheckConstraint("ck_sessions_status", "status IN ('started', 'in_progress', 'completed', 'interrupted', 'failed')");
                    table.CheckConstraint("ck_sessions_suggested_goals", "suggested_goals IS NULL OR jsonb_typeof(suggested_goals) = 'array'");
                    table.ForeignKey(
                        name: "fk_sessions_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "streaks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    streak_type = table.Column<string>(type: "text", nullable: false),
                    current_streak = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    longest_streak = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    last_activity_date = table.Column<DateOnly>(type: "date", nullable: true),
                    streak_start_date = table.Column<DateOnly>(type: "date", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_streaks", x => x.id);
                    table.CheckConstraint("ck_streaks_current_streak", "current_streak >= 0");
                    table.CheckConstraint("ck_streaks_longest_streak", "longest_streak >= current_streak");
                    table.CheckConstraint("ck_streaks_streak_type", "streak_type IN ('daily_session', 'weekly_goal', 'monthly_virtue')");
                    table.ForeignKey(
                        name: "fk_streaks_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_achievements",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    achievement_id = table.Column<Guid>(type: "uuid", nullable: false),
                    earned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    achieved_value = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_achievements", x => x.id);
                    table.ForeignKey(
                        name: "fk_user_achievements_achievement_id",
                        column: x => x.achievement_id,
                        principalTable: "achievements",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_user_achievements_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_settings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    setting_key = table.Column<string>(type: "text", nullable: false),
                    setting_value = table.Column<string>(type: "jsonb", nullable: false),
                    setting_type = table.Column<string>(type: "text", nullable: false, defaultValue: "user"),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_settings", x => x.id);
                    table.CheckConstraint("ck_user_settings_setting_key", "setting_key <> ''");
                    table.CheckConstraint("ck_user_settings_setting_type", "setting_type IN ('user', 'system', 'feature_flag')");
                    table.ForeignKey(
                        name: "fk_user_settings_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "goals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    goal_text = table.Column<string>(type: "text", nullable: false),
                    smart_goal = table.Column<string>(type: "text", nullable: true),
                    goal_type = table.Column<string>(type: "text", nullable: false, defaultValue: "emotional_wellness"),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "active"),
                    target_date = table.Column<DateOnly>(type: "date", nullable: true),
                    progress_percentage = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    source = table.Column<string>(type: "text", nullable: false, defaultValue: "user_created"),
                    suggested_by_session_id = table.Column<Guid>(type: "uuid", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_goals", x => x.id);
                    table.CheckConstraint("ck_goals_goal_text", "length(goal_text) BETWEEN 1 AND 2000");
                    table.CheckConstraint("ck_goals_goal_type", "goal_type IN ('emotional_wellness', 'personal_growth', 'relationships', 'career', 'health', 'mindfulness')");
                    table.CheckConstraint("ck_goals_progress_percentage", "progress_percentage BETWEEN 0 AND 100");
                    table.CheckConstraint("ck_goals_source", "source IN ('onboarding', 'session_suggestion', 'user_created')");
                    table.CheckConstraint("ck_goals_status", "status IN ('active', 'completed', 'paused', 'archived')");
                    table.ForeignKey(
                        name: "fk_goals_suggested_by_session_id",
                        column: x => x.suggested_by_session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_goals_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    session_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence_number = table.Column<int>(type: "integer", nullable: false),
                    role = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false, defaultValue: "text"),
                    content = table.Column<string>(type: "text", nullable: false),
                    heard_content = table.Column<string>(type: "text", nullable: true),
                    interrupted = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    client_turn_id = table.Column<string>(type: "text", nullable: true),
                    input_tokens = table.Column<int>(type: "integer", nullable: true),
                    output_tokens = table.Column<int>(type: "integer", nullable: true),
                    model = table.Column<string>(type: "text", nullable: true),
                    prompt_version = table.Column<string>(type: "text", nullable: true),
                    time_to_first_token_ms = table.Column<int>(type: "integer", nullable: true),
                    time_to_first_sentence_ms = table.Column<int>(type: "integer", nullable: true),
                    total_ms = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_messages", x => x.id);
                    table.CheckConstraint("ck_messages_client_turn_id", "client_turn_id IS NULL OR length(client_turn_id) BETWEEN 1 AND 100");
                    table.CheckConstraint("ck_messages_heard_content", "heard_content IS NULL OR role = 'assistant'");
                    table.CheckConstraint("ck_messages_kind", "kind IN ('text', 'scenario', 'advice', 'assessment_question', 'safety')");
                    table.CheckConstraint("ck_messages_latency", "(time_to_first_token_ms IS NULL OR time_to_first_token_ms >= 0) AND (time_to_first_sentence_ms IS NULL OR time_to_first_sentence_ms >= 0) AND (total_ms IS NULL OR total_ms >= 0)");
                    table.CheckConstraint("ck_messages_role", "role IN ('user', 'assistant', 'system')");
                    table.CheckConstraint("ck_messages_sequence_number", "sequence_number >= 1");
                    table.CheckConstraint("ck_messages_tokens", "(input_tokens IS NULL OR input_tokens >= 0) AND (output_tokens IS NULL OR output_tokens >= 0)");
                    table.ForeignKey(
                        name: "fk_messages_session_id",
                        column: x => x.session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_messages_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "personality_assessments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    session_id = table.Column<Guid>(type: "uuid", nullable: true),
                    disc_type = table.Column<string>(type: "text", nullable: false),
                    disc_scores = table.Column<string>(type: "jsonb", nullable: true),
                    enneagram_type = table.Column<int>(type: "integer", nullable: false),
                    enneagram_wing = table.Column<int>(type: "integer", nullable: true),
                    enneagram_scores = table.Column<string>(type: "jsonb", nullable: true),
                    confidence = table.Column<decimal>(type: "numeric(3,2)", precision: 3, scale: 2, nullable: false),
                    insights = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    assessment_transcript = table.Column<string>(type: "text", nullable: true),
                    assessment_duration_seconds = table.Column<int>(type: "integer", nullable: true),
                    prompt_version = table.Column<string>(type: "text", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_personality_assessments", x => x.id);
                    table.CheckConstraint("ck_personality_assessments_confidence", "confidence BETWEEN 0 AND 1");
                    table.CheckConstraint("ck_personality_assessments_disc_type", "disc_type IN ('D', 'I', 'S', 'C')");
                    table.CheckConstraint("ck_personality_assessments_enneagram_scores", "enneagram_scores IS NULL OR (jsonb_typeof(enneagram_scores) = 'array' AND jsonb_array_length(enneagram_scores) = 9)");
                    table.CheckConstraint("ck_personality_assessments_enneagram_type", "enneagram_type BETWEEN 1 AND 9");
                    table.CheckConstraint("ck_personality_assessments_enneagram_wing", "enneagram_wing IS NULL OR (enneagram_wing BETWEEN 1 AND 9 AND abs(enneagram_wing - enneagram_type) IN (1, 8))");
                    table.ForeignKey(
                        name: "fk_personality_assessments_session_id",
                        column: x => x.session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_personality_assessments_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "session_metrics",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    session_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    metric_name = table.Column<string>(type: "text", nullable: false),
                    metric_value = table.Column<decimal>(type: "numeric(14,4)", precision: 14, scale: 4, nullable: true),
                    metric_unit = table.Column<string>(type: "text", nullable: true),
                    calculated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_session_metrics", x => x.id);
                    table.CheckConstraint("ck_session_metrics_metric_name", "length(metric_name) BETWEEN 1 AND 100");
                    table.ForeignKey(
                        name: "fk_session_metrics_session_id",
                        column: x => x.session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_session_metrics_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "virtues",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: true),
                    icon = table.Column<string>(type: "text", nullable: true),
                    first_session_id = table.Column<Guid>(type: "uuid", nullable: true),
                    times_earned = table.Column<int>(type: "integer", nullable: false, defaultValue: 1),
                    first_earned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    last_earned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_virtues", x => x.id);
                    table.CheckConstraint("ck_virtues_last_earned_at", "last_earned_at >= first_earned_at");
                    table.CheckConstraint("ck_virtues_name", "length(name) BETWEEN 1 AND 40");
                    table.CheckConstraint("ck_virtues_times_earned", "times_earned >= 1");
                    table.ForeignKey(
                        name: "fk_virtues_first_session_id",
                        column: x => x.first_session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_virtues_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "message_emotions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    session_id = table.Column<Guid>(type: "uuid", nullable: false),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    emotion = table.Column<string>(type: "text", nullable: false),
                    intensity = table.Column<int>(type: "integer", nullable: false),
                    color = table.Column<string>(type: "text", nullable: false),
                    confidence = table.Column<decimal>(type: "numeric(3,2)", precision: 3, scale: 2, nullable: false),
                    prompt_version = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_message_emotions", x => x.id);
                    table.CheckConstraint("ck_message_emotions_color", "color ~ '^#[0-9A-Fa-f]{6}$'");
                    table.CheckConstraint("ck_message_emotions_confidence", "confidence BETWEEN 0 AND 1");
                    table.CheckConstraint("ck_message_emotions_emotion", "length(emotion) BETWEEN 1 AND 40");
                    table.CheckConstraint("ck_message_emotions_intensity", "intensity BETWEEN 1 AND 5");
                    table.ForeignKey(
                        name: "fk_message_emotions_message_id",
                        column: x => x.message_id,
                        principalTable: "messages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_message_emotions_session_id",
                        column: x => x.session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_message_emotions_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ux_achievements_code",
                table: "achievements",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_coaching_preferences_user_id",
                table: "coaching_preferences",
                column: "user_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_emotional_focus_categories_user_id_category",
                table: "emotional_focus_categories",
                columns: new[] { "user_id", "category" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_goals_active_user_id",
                table: "goals",
                column: "user_id",
                filter: "status = 'active'");

            migrationBuilder.CreateIndex(
                name: "ix_goals_suggested_by_session_id",
                table: "goals",
                column: "suggested_by_session_id");

            migrationBuilder.CreateIndex(
                name: "ix_goals_user_id",
                table: "goals",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_message_emotions_message_id",
                table: "message_emotions",
                column: "message_id");

            migrationBuilder.CreateIndex(
                name: "ix_message_emotions_session_id",
                table: "message_emotions",
                column: "session_id");

            migrationBuilder.CreateIndex(
                name: "ix_message_emotions_user_id_created_at",
                table: "message_emotions",
                columns: new[] { "user_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_messages_user_id",
                table: "messages",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ux_messages_session_id_client_turn_id_role",
                table: "messages",
                columns: new[] { "session_id", "client_turn_id", "role" },
                unique: true,
                filter: "client_turn_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ux_messages_session_id_sequence_number",
                table: "messages",
                columns: new[] { "session_id", "sequence_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_mood_checkins_user_id_recorded_at",
                table: "mood_checkins",
                columns: new[] { "user_id", "recorded_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_personality_assessments_session_id",
                table: "personality_assessments",
                column: "session_id");

            migrationBuilder.CreateIndex(
                name: "ix_personality_assessments_user_id_completed_at",
                table: "personality_assessments",
                columns: new[] { "user_id", "completed_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_session_metrics_user_id",
                table: "session_metrics",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ux_session_metrics_session_id_metric_name",
                table: "session_metrics",
                columns: new[] { "session_id", "metric_name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sessions_user_id_session_date",
                table: "sessions",
                columns: new[] { "user_id", "session_date" });

            migrationBuilder.CreateIndex(
                name: "ix_sessions_user_id_started_at",
                table: "sessions",
                columns: new[] { "user_id", "started_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ux_streaks_user_id_streak_type",
                table: "streaks",
                columns: new[] { "user_id", "streak_type" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_user_achievements_achievement_id",
                table: "user_achievements",
                column: "achievement_id");

            migrationBuilder.CreateIndex(
                name: "ux_user_achievements_user_id_achievement_id",
                table: "user_achievements",
                columns: new[] { "user_id", "achievement_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_user_settings_user_id_setting_key",
                table: "user_settings",
                columns: new[] { "user_id", "setting_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_users_email",
                table: "users",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_virtues_first_session_id",
                table: "virtues",
                column: "first_session_id");

            migrationBuilder.CreateIndex(
                name: "ux_virtues_user_id_name",
                table: "virtues",
                columns: new[] { "user_id", "name" },
                unique: true);

            migrationBuilder.Sql(Functions);
            migrationBuilder.Sql(RowLevelSecurity);
            migrationBuilder.Sql(AppRoleAndGrants);
            migrationBuilder.Sql(AchievementCatalogue);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "coaching_preferences");

            migrationBuilder.DropTable(
                name: "emotional_focus_categories");

            migrationBuilder.DropTable(
                name: "goals");

            migrationBuilder.DropTable(
                name: "message_emotions");

            migrationBuilder.DropTable(
                name: "mood_checkins");

            migrationBuilder.DropTable(
                name: "personality_assessments");

            migrationBuilder.DropTable(
                name: "session_metrics");

            migrationBuilder.DropTable(
                name: "streaks");

            migrationBuilder.DropTable(
                name: "user_achievements");

            migrationBuilder.DropTable(
                name: "user_settings");

            migrationBuilder.DropTable(
                name: "virtues");

            migrationBuilder.DropTable(
                name: "messages");

            migrationBuilder.DropTable(
                name: "achievements");

            migrationBuilder.DropTable(
                name: "sessions");

            migrationBuilder.DropTable(
                name: "users");

            // The coach_app role is cluster-wide (other databases may use it), so it stays.
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS coach_current_user_id();
                DROP FUNCTION IF EXISTS coach_touch_updated_at();
                """);
        }

        private const string Functions = """
            -- The user of the current unit of work. After a commit a transaction-local setting reads
            -- back as '' rather than NULL, so both mean "nobody".
            CREATE FUNCTION coach_current_user_id() RETURNS uuid
                LANGUAGE sql STABLE
                AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

            CREATE FUNCTION coach_touch_updated_at() RETURNS trigger
                LANGUAGE plpgsql
                AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;

            CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION coach_touch_updated_at();
            CREATE TRIGGER trg_user_settings_updated_at BEFORE UPDATE ON user_settings FOR EACH ROW EXECUTE FUNCTION coach_touch_updated_at();
            CREATE TRIGGER trg_coaching_preferences_updated_at BEFORE UPDATE ON coaching_preferences FOR EACH ROW EXECUTE FUNCTION coach_touch_updated_at();
            CREATE TRIGGER trg_goals_updated_at BEFORE UPDATE ON goals FOR EACH ROW EXECUTE FUNCTION coach_touch_updated_at();
            CREATE TRIGGER trg_streaks_updated_at BEFORE UPDATE ON streaks FOR EACH ROW EXECUTE FUNCTION coach_touch_updated_at();
            """;

        private const string RowLevelSecurity = """
            ALTER TABLE users ENABLE ROW LEVEL SECURITY;
            ALTER TABLE users FORCE ROW LEVEL SECURITY;
            CREATE POLICY users_owner ON users
                USING (id = coach_current_user_id())
                WITH CHECK (id = coach_current_user_id());

            DO $$
            DECLARE t text;
            BEGIN
                FOREACH t IN ARRAY ARRAY['user_settings', 'personality_assessments', 'emotional_focus_categories', 'coaching_preferences', 'goals', 'sessions', 'messages', 'message_emotions', 'session_metrics', 'streaks', 'virtues', 'user_achievements', 'mood_checkins']
                LOOP
                    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
                    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
                    EXECUTE format('CREATE POLICY %I ON %I USING (user_id = coach_current_user_id()) WITH CHECK (user_id = coach_current_user_id())', t || '_owner', t);
                END LOOP;
            END $$;
            """;

        private const string AppRoleAndGrants = """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coach_app') THEN
                    CREATE ROLE coach_app NOLOGIN NOSUPERUSER NOINHERIT NOBYPASSRLS;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by a migration of another database in the same cluster
            END $$;

            -- Lets the migrating (owner) login switch to the app role on its runtime connections.
            DO $$
            BEGIN
                IF NOT pg_has_role(current_user, 'coach_app', 'MEMBER') THEN
                    EXECUTE format('GRANT coach_app TO %I', current_user);
                END IF;
            END $$;

            GRANT USAGE ON SCHEMA public TO coach_app;
            GRANT SELECT, INSERT, UPDATE, DELETE ON users, user_settings, personality_assessments, emotional_focus_categories, coaching_preferences, goals, sessions, messages, message_emotions, session_metrics, streaks, virtues, user_achievements, mood_checkins TO coach_app;
            GRANT SELECT ON achievements TO coach_app;
            GRANT SELECT ON "__EFMigrationsHistory" TO coach_app;
            """;

        private const string AchievementCatalogue = """
            INSERT INTO achievements (code, title, description, icon, criteria, points) VALUES
                ('first_session', 'First Step', 'Complete your first coaching session.', 'footprints', '{"type": "session_count", "target": 1}', 10),
                ('five_sessions', 'Finding a Rhythm', 'Complete five coaching sessions.', 'music', '{"type": "session_count", "target": 5}', 25),
                ('ten_sessions', 'Committed', 'Complete ten coaching sessions.', 'medal', '{"type": "session_count", "target": 10}', 50),
                ('three_day_streak', 'Three in a Row', 'Have a session three days in a row.', 'flame', '{"type": "streak", "target": 3}', 20),
                ('week_streak', 'Week Warrior', 'Have a session every day for a week.', 'calendar', '{"type": "streak", "target": 7}', 50),
                ('month_streak', 'Unbroken Month', 'Have a session every day for thirty days.', 'trophy', '{"type": "streak", "target": 30}', 150),
                ('first_virtue', 'First Virtue', 'Earn your first virtue.', 'sparkles', '{"type": "virtues_collected", "target": 1}', 10),
                ('virtue_collector', 'Virtue Collector', 'Earn five different virtues.', 'gem', '{"type": "virtues_collected", "target": 5}', 40),
                ('first_hour', 'An Hour with Yourself', 'Spend sixty minutes in sessions.', 'hourglass', '{"type": "total_minutes", "target": 60}', 25),
                ('ten_hours', 'Ten Hours of Growth', 'Spend ten hours in sessions.', 'mountain', '{"type": "total_minutes", "target": 600}', 100),
                ('first_goal_completed', 'Goal Getter', 'Complete a goal.', 'target', '{"type": "goals_completed", "target": 1}', 20),
                ('five_goals_completed', 'Achiever', 'Complete five goals.', 'rocket', '{"type": "goals_completed", "target": 5}', 60);
            """;
    }
}
