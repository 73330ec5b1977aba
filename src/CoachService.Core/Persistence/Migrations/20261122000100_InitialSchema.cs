using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CoachService.Persistence.Migrations;

/// <summary>
/// The whole coaching domain. Written by hand (EF's design-time tools do not restore here): the
/// tables, keys, CHECK constraints and indexes must equal what <see cref="CoachDbContext"/> describes,
/// which a test proves by comparing catalogs. Below the tables come what the model cannot express:
/// row level security keyed on the transaction-local setting app.user_id, the role the service
/// works as, updated_at triggers and the starter achievement catalogue.
/// </summary>
[DbContext(typeof(CoachDbContext))]
[Migration("20261122000100_InitialSchema")]
public sealed class InitialSchema : Migration
{
    /// <summary>The role the service's connections take (SET ROLE): it owns nothing and cannot bypass RLS.</summary>
    public const string AppRole = "coach_app";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(Tables);
        migrationBuilder.Sql(Functions);
        migrationBuilder.Sql(RowLevelSecurity);
        migrationBuilder.Sql(AppRoleAndGrants);
        migrationBuilder.Sql(AchievementCatalogue);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE IF EXISTS message_emotions, messages, session_metrics, personality_assessments, goals, virtues,
                user_achievements, achievements, sessions, streaks, mood_checkins, user_settings,
                emotional_focus_categories, coaching_preferences, users CASCADE;
            DROP FUNCTION IF EXISTS coach_current_user_id();
            DROP FUNCTION IF EXISTS coach_touch_updated_at();
            """);
    }

    private const string Tables = """
        CREATE TABLE achievements (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            code text NOT NULL,
            title text NOT NULL,
            description text NOT NULL,
            icon text,
            criteria jsonb NOT NULL,
            points integer NOT NULL DEFAULT 0,
            is_active boolean NOT NULL DEFAULT TRUE,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_achievements PRIMARY KEY (id),
            CONSTRAINT ck_achievements_criteria CHECK (jsonb_typeof(criteria) = 'object' AND (criteria ->> 'type') IN ('session_count', 'streak', 'virtues_collected', 'total_minutes', 'goals_completed') AND jsonb_typeof(criteria -> 'target') = 'number' AND (criteria ->> 'target')::numeric >= 1),
            CONSTRAINT ck_achievements_points CHECK (points >= 0)
        );

        CREATE TABLE users (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            email text NOT NULL,
            name text,
            preferred_language text NOT NULL DEFAULT 'en',
            timezone text NOT NULL DEFAULT 'UTC',
            onboarding_completed boolean NOT NULL DEFAULT FALSE,
            achievement_points integer NOT NULL DEFAULT 0,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            updated_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_users PRIMARY KEY (id),
            CONSTRAINT ck_users_achievement_points CHECK (achievement_points >= 0),
            CONSTRAINT ck_users_email CHECK (email <> '' AND email = lower(email)),
            CONSTRAINT ck_users_preferred_language CHECK (preferred_language IN ('en', 'pt', 'es', 'fr')),
            CONSTRAINT ck_users_timezone CHECK (timezone <> '')
        );

        CREATE TABLE coaching_preferences (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            timing text NOT NULL DEFAULT 'flexible',
            duration text NOT NULL DEFAULT 'variable',
            style text NOT NULL DEFAULT 'mixed',
            coach_persona text NOT NULL DEFAULT 'warm_friend',
            tts_voice_id text,
            focus_area text,
            session_frequency text NOT NULL DEFAULT 'daily',
            preferred_session_time time without time zone,
            reminders_enabled boolean NOT NULL DEFAULT TRUE,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            updated_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_coaching_preferences PRIMARY KEY (id),
            CONSTRAINT ck_coaching_preferences_coach_persona CHECK (coach_persona IN ('confident_coach', 'warm_friend', 'gentle_guide', 'wise_mentor')),
            CONSTRAINT ck_coaching_preferences_duration CHECK (duration IN ('quick_focused', 'deeper_dive', 'variable')),
            CONSTRAINT ck_coaching_preferences_session_frequency CHECK (session_frequency IN ('daily', 'weekdays', 'custom')),
            CONSTRAINT ck_coaching_preferences_style CHECK (style IN ('guided_structure', 'open_conversation', 'mixed')),
            CONSTRAINT ck_coaching_preferences_timing CHECK (timing IN ('morning_person', 'evening_person', 'flexible')),
            CONSTRAINT fk_coaching_preferences_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE emotional_focus_categories (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            category text NOT NULL,
            priority integer NOT NULL DEFAULT 1,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_emotional_focus_categories PRIMARY KEY (id),
            CONSTRAINT ck_emotional_focus_categories_category CHECK (category IN ('stress_management', 'goal_achievement', 'relationships', 'self_worth', 'emotional_regulation', 'work_life_balance', 'personal_growth', 'mindfulness')),
            CONSTRAINT ck_emotional_focus_categories_priority CHECK (priority BETWEEN 1 AND 5),
            CONSTRAINT fk_emotional_focus_categories_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE mood_checkins (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            mood text NOT NULL,
            intensity integer NOT NULL,
            context text,
            triggers text[] NOT NULL DEFAULT ('{}'::text[]),
            recorded_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_mood_checkins PRIMARY KEY (id),
            CONSTRAINT ck_mood_checkins_intensity CHECK (intensity BETWEEN 1 AND 10),
            CONSTRAINT ck_mood_checkins_mood CHECK (length(mood) BETWEEN 1 AND 50),
            CONSTRAINT fk_mood_checkins_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE sessions (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            session_type text NOT NULL,
            status text NOT NULL DEFAULT 'started',
            coach_persona text,
            started_at timestamp with time zone NOT NULL DEFAULT (now()),
            completed_at timestamp with time zone,
            duration_seconds integer,
            session_date date NOT NULL,
            virtue_earned text,
            emotional_snapshot jsonb,
            key_insights jsonb,
            suggested_goals jsonb,
            metadata jsonb NOT NULL DEFAULT ('{}'::jsonb),
            safety_flagged boolean NOT NULL DEFAULT FALSE,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_sessions PRIMARY KEY (id),
            CONSTRAINT ck_sessions_coach_persona CHECK (coach_persona IS NULL OR coach_persona IN ('confident_coach', 'warm_friend', 'gentle_guide', 'wise_mentor')),
            CONSTRAINT ck_sessions_completed_at CHECK (completed_at IS NULL OR completed_at >= started_at),
            CONSTRAINT ck_sessions_duration_seconds CHECK (duration_seconds IS NULL OR duration_seconds >= 0),
            CONSTRAINT ck_sessions_emotional_snapshot CHECK (emotional_snapshot IS NULL OR jsonb_typeof(emotional_snapshot) = 'array'),
            CONSTRAINT ck_sessions_key_insights CHECK (key_insights IS NULL OR jsonb_typeof(key_insights) = 'array'),
            CONSTRAINT ck_sessions_session_type CHECK (session_type IN ('face_to_face', 'spoken_presence', 'silent_reflection', 'written_clarity', 'onboarding_assessment')),
            CONSTRAINT ck_sessions_status CHECK (status IN ('started', 'in_progress', 'completed', 'interrupted', 'failed')),
            CONSTRAINT ck_sessions_suggested_goals CHECK (suggested_goals IS NULL OR jsonb_typeof(suggested_goals) = 'array'),
            CONSTRAINT fk_sessions_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE streaks (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            streak_type text NOT NULL,
            current_streak integer NOT NULL DEFAULT 0,
            longest_streak integer NOT NULL DEFAULT 0,
            last_activity_date date,
            streak_start_date date,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            updated_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_streaks PRIMARY KEY (id),
            CONSTRAINT ck_streaks_current_streak CHECK (current_streak >= 0),
            CONSTRAINT ck_streaks_longest_streak CHECK (longest_streak >= current_streak),
            CONSTRAINT ck_streaks_streak_type CHECK (streak_type IN ('daily_session', 'weekly_goal', 'monthly_virtue')),
            CONSTRAINT fk_streaks_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE user_achievements (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            achievement_id uuid NOT NULL,
            earned_at timestamp with time zone NOT NULL DEFAULT (now()),
            achieved_value integer NOT NULL,
            CONSTRAINT pk_user_achievements PRIMARY KEY (id),
            CONSTRAINT fk_user_achievements_achievement_id FOREIGN KEY (achievement_id) REFERENCES achievements (id) ON DELETE CASCADE,
            CONSTRAINT fk_user_achievements_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE user_settings (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            setting_key text NOT NULL,
            setting_value jsonb NOT NULL,
            setting_type text NOT NULL DEFAULT 'user',
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            updated_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_user_settings PRIMARY KEY (id),
            CONSTRAINT ck_user_settings_setting_key CHECK (setting_key <> ''),
            CONSTRAINT ck_user_settings_setting_type CHECK (setting_type IN ('user', 'system', 'feature_flag')),
            CONSTRAINT fk_user_settings_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE goals (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            goal_text text NOT NULL,
            smart_goal text,
            goal_type text NOT NULL DEFAULT 'emotional_wellness',
            status text NOT NULL DEFAULT 'active',
            target_date date,
            progress_percentage integer NOT NULL DEFAULT 0,
            source text NOT NULL DEFAULT 'user_created',
            suggested_by_session_id uuid,
            completed_at timestamp with time zone,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            updated_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_goals PRIMARY KEY (id),
            CONSTRAINT ck_goals_goal_text CHECK (length(goal_text) BETWEEN 1 AND 2000),
            CONSTRAINT ck_goals_goal_type CHECK (goal_type IN ('emotional_wellness', 'personal_growth', 'relationships', 'career', 'health', 'mindfulness')),
            CONSTRAINT ck_goals_progress_percentage CHECK (progress_percentage BETWEEN 0 AND 100),
            CONSTRAINT ck_goals_source CHECK (source IN ('onboarding', 'session_suggestion', 'user_created')),
            CONSTRAINT ck_goals_status CHECK (status IN ('active', 'completed', 'paused', 'archived')),
            CONSTRAINT fk_goals_suggested_by_session_id FOREIGN KEY (suggested_by_session_id) REFERENCES sessions (id) ON DELETE SET NULL,
            CONSTRAINT fk_goals_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE messages (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            session_id uuid NOT NULL,
            user_id uuid NOT NULL,
            sequence_number integer NOT NULL,
            role text NOT NULL,
            kind text NOT NULL DEFAULT 'text',
            content text NOT NULL,
            heard_content text,
            interrupted boolean NOT NULL DEFAULT FALSE,
            client_turn_id text,
            input_tokens integer,
            output_tokens integer,
            model text,
            prompt_version text,
            time_to_first_token_ms integer,
            time_to_first_sentence_ms integer,
            total_ms integer,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_messages PRIMARY KEY (id),
            CONSTRAINT ck_messages_client_turn_id CHECK (client_turn_id IS NULL OR length(client_turn_id) BETWEEN 1 AND 100),
            CONSTRAINT ck_messages_heard_content CHECK (heard_content IS NULL OR role = 'assistant'),
            CONSTRAINT ck_messages_kind CHECK (kind IN ('text', 'scenario', 'advice', 'assessment_question', 'safety')),
            CONSTRAINT ck_messages_latency CHECK ((time_to_first_token_ms IS NULL OR time_to_first_token_ms >= 0) AND (time_to_first_sentence_ms IS NULL OR time_to_first_sentence_ms >= 0) AND (total_ms IS NULL OR total_ms >= 0)),
            CONSTRAINT ck_messages_role CHECK (role IN ('user', 'assistant', 'system')),
            CONSTRAINT ck_messages_sequence_number CHECK (sequence_number >= 1),
            CONSTRAINT ck_messages_tokens CHECK ((input_tokens IS NULL OR input_tokens >= 0) AND (output_tokens IS NULL OR output_tokens >= 0)),
            CONSTRAINT fk_messages_session_id FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
            CONSTRAINT fk_messages_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE personality_assessments (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            session_id uuid,
            disc_type text NOT NULL,
            disc_scores jsonb,
            enneagram_type integer NOT NULL,
            enneagram_wing integer,
            enneagram_scores jsonb,
            confidence numeric(3,2) NOT NULL,
            insights jsonb NOT NULL DEFAULT ('[]'::jsonb),
            assessment_transcript text,
            assessment_duration_seconds integer,
            prompt_version text,
            completed_at timestamp with time zone NOT NULL DEFAULT (now()),
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_personality_assessments PRIMARY KEY (id),
            CONSTRAINT ck_personality_assessments_confidence CHECK (confidence BETWEEN 0 AND 1),
            CONSTRAINT ck_personality_assessments_disc_type CHECK (disc_type IN ('D', 'I', 'S', 'C')),
            CONSTRAINT ck_personality_assessments_enneagram_scores CHECK (enneagram_scores IS NULL OR (jsonb_typeof(enneagram_scores) = 'array' AND jsonb_array_length(enneagram_scores) = 9)),
            CONSTRAINT ck_personality_assessments_enneagram_type CHECK (enneagram_type BETWEEN 1 AND 9),
            CONSTRAINT ck_personality_assessments_enneagram_wing CHECK (enneagram_wing IS NULL OR (enneagram_wing BETWEEN 1 AND 9 AND abs(enneagram_wing - enneagram_type) IN (1, 8))),
            CONSTRAINT fk_personality_assessments_session_id FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE SET NULL,
            CONSTRAINT fk_personality_assessments_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE session_metrics (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            session_id uuid NOT NULL,
            user_id uuid NOT NULL,
            metric_name text NOT NULL,
            metric_value numeric(14,4),
            metric_unit text,
            calculated_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_session_metrics PRIMARY KEY (id),
            CONSTRAINT ck_session_metrics_metric_name CHECK (length(metric_name) BETWEEN 1 AND 100),
            CONSTRAINT fk_session_metrics_session_id FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
            CONSTRAINT fk_session_metrics_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE virtues (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            name text NOT NULL,
            description text,
            icon text,
            first_session_id uuid,
            times_earned integer NOT NULL DEFAULT 1,
            first_earned_at timestamp with time zone NOT NULL DEFAULT (now()),
            last_earned_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_virtues PRIMARY KEY (id),
            CONSTRAINT ck_virtues_last_earned_at CHECK (last_earned_at >= first_earned_at),
            CONSTRAINT ck_virtues_name CHECK (length(name) BETWEEN 1 AND 40),
            CONSTRAINT ck_virtues_times_earned CHECK (times_earned >= 1),
            CONSTRAINT fk_virtues_first_session_id FOREIGN KEY (first_session_id) REFERENCES sessions (id) ON DELETE SET NULL,
            CONSTRAINT fk_virtues_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE TABLE message_emotions (
            id uuid NOT NULL DEFAULT (gen_random_uuid()),
            user_id uuid NOT NULL,
            session_id uuid NOT NULL,
            message_id uuid NOT NULL,
            emotion text NOT NULL,
            intensity integer NOT NULL,
            color text NOT NULL,
            confidence numeric(3,2) NOT NULL,
            prompt_version text,
            created_at timestamp with time zone NOT NULL DEFAULT (now()),
            CONSTRAINT pk_message_emotions PRIMARY KEY (id),
            CONSTRAINT ck_message_emotions_color CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
            CONSTRAINT ck_message_emotions_confidence CHECK (confidence BETWEEN 0 AND 1),
            CONSTRAINT ck_message_emotions_emotion CHECK (length(emotion) BETWEEN 1 AND 40),
            CONSTRAINT ck_message_emotions_intensity CHECK (intensity BETWEEN 1 AND 5),
            CONSTRAINT fk_message_emotions_message_id FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE,
            CONSTRAINT fk_message_emotions_session_id FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
            CONSTRAINT fk_message_emotions_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        );

        CREATE UNIQUE INDEX ux_achievements_code ON achievements (code);

        CREATE UNIQUE INDEX ux_coaching_preferences_user_id ON coaching_preferences (user_id);

        CREATE UNIQUE INDEX ux_emotional_focus_categories_user_id_category ON emotional_focus_categories (user_id, category);

        CREATE INDEX ix_goals_active_user_id ON goals (user_id) WHERE status = 'active';

        CREATE INDEX ix_goals_suggested_by_session_id ON goals (suggested_by_session_id);

        CREATE INDEX ix_goals_user_id ON goals (user_id);

        CREATE INDEX ix_message_emotions_message_id ON message_emotions (message_id);

        CREATE INDEX ix_message_emotions_session_id ON message_emotions (session_id);

        CREATE INDEX ix_message_emotions_user_id_created_at ON message_emotions (user_id, created_at);

        CREATE INDEX ix_messages_user_id ON messages (user_id);

        CREATE UNIQUE INDEX ux_messages_session_id_client_turn_id_role ON messages (session_id, client_turn_id, role) WHERE client_turn_id IS NOT NULL;

        CREATE UNIQUE INDEX ux_messages_session_id_sequence_number ON messages (session_id, sequence_number);

        CREATE INDEX ix_mood_checkins_user_id_recorded_at ON mood_checkins (user_id, recorded_at DESC);

        CREATE INDEX ix_personality_assessments_session_id ON personality_assessments (session_id);

        CREATE INDEX ix_personality_assessments_user_id_completed_at ON personality_assessments (user_id, completed_at DESC);

        CREATE INDEX ix_session_metrics_user_id ON session_metrics (user_id);

        CREATE UNIQUE INDEX ux_session_metrics_session_id_metric_name ON session_metrics (session_id, metric_name);

        CREATE INDEX ix_sessions_user_id_session_date ON sessions (user_id, session_date);

        CREATE INDEX ix_sessions_user_id_started_at ON sessions (user_id, started_at DESC);

        CREATE UNIQUE INDEX ux_streaks_user_id_streak_type ON streaks (user_id, streak_type);

        CREATE INDEX ix_user_achievements_achievement_id ON user_achievements (achievement_id);

        CREATE UNIQUE INDEX ux_user_achievements_user_id_achievement_id ON user_achievements (user_id, achievement_id);

        CREATE UNIQUE INDEX ux_user_settings_user_id_setting_key ON user_settings (user_id, setting_key);

        CREATE UNIQUE INDEX ux_users_email ON users (email);

        CREATE INDEX ix_virtues_first_session_id ON virtues (first_session_id);

        CREATE UNIQUE INDEX ux_virtues_user_id_name ON virtues (user_id, name);
        """;

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
