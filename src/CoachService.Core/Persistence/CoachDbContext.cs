using CoachService.Goals;
using CoachService.Privacy.Encryption;
using CoachService.Profiles;
using CoachService.Progress;
using CoachService.Sessions;
using CoachService.Users;
using CoachService.Wellbeing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CoachService.Persistence;

/// <summary>
/// The coaching domain in PostgreSQL. Every user-owned entity is filtered to <see cref="CurrentUserId"/>;
/// the database applies the same rule again with row level security (see the initial migration).
/// Use <see cref="CoachDatabase"/> to get a context for a user: it also sets the database-side user.
/// </summary>
public sealed class CoachDbContext(DbContextOptions<CoachDbContext> options) : DbContext(options)
{
    /// <summary>The user this context works for; null sees no user-owned rows.</summary>
    public Guid? CurrentUserId { get; internal set; }

    /// <summary>
    /// The database-side user the unit's first command still has to set (<see cref="UserScopeInterceptor"/>);
    /// null once it is set, or outside a unit of work.
    /// </summary>
    internal Guid? UserToEnter { get; set; }

    public DbSet<User> Users => Set<User>();
    public DbSet<UserSetting> UserSettings => Set<UserSetting>();
    public DbSet<PersonalityAssessment> PersonalityAssessments => Set<PersonalityAssessment>();
    public DbSet<EmotionalFocusCategory> EmotionalFocusCategories => Set<EmotionalFocusCategory>();
    public DbSet<CoachingPreferences> CoachingPreferences => Set<CoachingPreferences>();
    public DbSet<Goal> Goals => Set<Goal>();
    public DbSet<CoachingSession> Sessions => Set<CoachingSession>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<MessageEmotion> MessageEmotions => Set<MessageEmotion>();
    public DbSet<SessionMetric> SessionMetrics => Set<SessionMetric>();
    public DbSet<Streak> Streaks => Set<Streak>();
    public DbSet<Virtue> Virtues => Set<Virtue>();
    public DbSet<Achievement> Achievements => Set<Achievement>();
    public DbSet<UserAchievement> UserAchievements => Set<UserAchievement>();
    public DbSet<MoodCheckIn> MoodCheckIns => Set<MoodCheckIn>();
    public DbSet<ErasedUser> ErasedUsers => Set<ErasedUser>();
    public DbSet<Conversations.TurnClaim> TurnClaims => Set<Conversations.TurnClaim>();
    public DbSet<Conversations.TurnBucket> TurnBuckets => Set<Conversations.TurnBucket>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>(e =>
        {
            Table(e, "users");
            e.Property(u => u.PreferredLanguage).HasDefaultValue("en");
            e.Property(u => u.Timezone).HasDefaultValue("UTC");
            e.Property(u => u.OnboardingCompleted).HasDefaultValue(false);
            e.Property(u => u.AchievementPoints).HasDefaultValue(0);
            Timestamps(e, "created_at", "updated_at");
            e.HasIndex(u => u.Email).IsUnique().HasDatabaseName("ux_users_email");
            e.ToTable(t =>
            {
                Check(t, "users", "email", "email <> '' AND email = lower(email)");
                Check(t, "users", "preferred_language", In("preferred_language", DomainValues.Languages));
                Check(t, "users", "timezone", "timezone <> ''");
                Check(t, "users", "achievement_points", "achievement_points >= 0");
            });
            e.HasQueryFilter(u => u.Id == CurrentUserId);
        });

        model.Entity<UserSetting>(e =>
        {
            Owned(e, "user_settings", indexUser: false);
            e.Property(s => s.Key).HasColumnName("setting_key");
            e.Property(s => s.ValueJson).HasColumnName("setting_value").HasColumnType("jsonb");
            e.Property(s => s.SettingType).HasDefaultValue("user");
            Timestamps(e, "created_at", "updated_at");
            e.HasIndex(s => new { s.UserId, s.Key }).IsUnique().HasDatabaseName("ux_user_settings_user_id_setting_key");
            e.ToTable(t =>
            {
                Check(t, "user_settings", "setting_key", "setting_key <> ''");
                Check(t, "user_settings", "setting_type", In("setting_type", DomainValues.SettingTypes));
            });
        });

        model.Entity<PersonalityAssessment>(e =>
        {
            Owned(e, "personality_assessments", indexUser: false);
            e.Property(a => a.DiscScores).HasJsonb();
            e.Property(a => a.EnneagramScores).HasJsonb();
            // Conversation text: encrypted with the user's key (docs/decisions/encryption-at-rest.md).
            e.Property(a => a.Insights).IsEncryptedJson().HasDefaultValueSql("'[]'");
            e.Property(a => a.AssessmentTranscript).IsEncrypted();
            e.Property(a => a.Confidence).HasPrecision(3, 2);
            Timestamps(e, "completed_at", "created_at");
            e.HasOne<CoachingSession>().WithMany().HasForeignKey(a => a.SessionId)
                .OnDelete(DeleteBehavior.SetNull).HasConstraintName("fk_personality_assessments_session_id");
            e.HasIndex(a => new { a.UserId, a.CompletedAt }).IsDescending(false, true)
                .HasDatabaseName("ix_personality_assessments_user_id_completed_at");
            e.HasIndex(a => a.SessionId).HasDatabaseName("ix_personality_assessments_session_id");
            e.ToTable(t =>
            {
                Check(t, "personality_assessments", "disc_type", In("disc_type", DomainValues.DiscTypes));
                Check(t, "personality_assessments", "enneagram_type", "enneagram_type BETWEEN 1 AND 9");
                Check(t, "personality_assessments", "enneagram_wing",
                    "enneagram_wing IS NULL OR (enneagram_wing BETWEEN 1 AND 9 AND abs(enneagram_wing - enneagram_type) IN (1, 8))");
                Check(t, "personality_assessments", "confidence", "confidence BETWEEN 0 AND 1");
                Check(t, "personality_assessments", "enneagram_scores",
                    "enneagram_scores IS NULL OR (jsonb_typeof(enneagram_scores) = 'array' AND jsonb_array_length(enneagram_scores) = 9)");
                Check(t, "personality_assessments", "prompt_hash", PromptHash);
            });
        });

        model.Entity<EmotionalFocusCategory>(e =>
        {
            Owned(e, "emotional_focus_categories", indexUser: false);
            e.Property(c => c.Priority).HasDefaultValue(1);
            Timestamps(e, "created_at");
            e.HasIndex(c => new { c.UserId, c.Category }).IsUnique().HasDatabaseName("ux_emotional_focus_categories_user_id_category");
            e.ToTable(t =>
            {
                Check(t, "emotional_focus_categories", "category", In("category", DomainValues.EmotionalCategories));
                Check(t, "emotional_focus_categories", "priority", "priority BETWEEN 1 AND 5");
            });
        });

        model.Entity<CoachingPreferences>(e =>
        {
            Owned(e, "coaching_preferences", indexUser: false);
            e.Property(p => p.Timing).HasDefaultValue("flexible");
            e.Property(p => p.Duration).HasDefaultValue("variable");
            e.Property(p => p.Style).HasDefaultValue("mixed");
            e.Property(p => p.CoachPersona).HasDefaultValue("warm_friend");
            e.Property(p => p.SessionFrequency).HasDefaultValue("daily");
            e.Property(p => p.RemindersEnabled).HasDefaultValue(true);
            Timestamps(e, "created_at", "updated_at");
            e.HasIndex(p => p.UserId).IsUnique().HasDatabaseName("ux_coaching_preferences_user_id");
            e.ToTable(t =>
            {
                Check(t, "coaching_preferences", "timing", In("timing", DomainValues.Timings));
                Check(t, "coaching_preferences", "duration", In("duration", DomainValues.Durations));
                Check(t, "coaching_preferences", "style", In("style", DomainValues.Styles));
                Check(t, "coaching_preferences", "coach_persona", In("coach_persona", Profiles.CoachPersona.All));
                Check(t, "coaching_preferences", "session_frequency", In("session_frequency", DomainValues.SessionFrequencies));
            });
        });

        model.Entity<Goal>(e =>
        {
            Owned(e, "goals");
            e.Property(g => g.GoalType).HasDefaultValue("emotional_wellness");
            e.Property(g => g.Status).HasDefaultValue("active");
            e.Property(g => g.ProgressPercentage).HasDefaultValue(0);
            e.Property(g => g.Source).HasDefaultValue("user_created");
            e.Property(g => g.GoalText).IsEncrypted();
            e.Property(g => g.SmartGoal).IsEncrypted();
            Timestamps(e, "created_at", "updated_at");
            e.HasOne<CoachingSession>().WithMany().HasForeignKey(g => g.SuggestedBySessionId)
                .OnDelete(DeleteBehavior.SetNull).HasConstraintName("fk_goals_suggested_by_session_id");
            e.HasIndex(g => g.UserId, "ix_goals_active_user_id").HasFilter("status = 'active'");
            e.HasIndex(g => g.SuggestedBySessionId).HasDatabaseName("ix_goals_suggested_by_session_id");
            e.ToTable(t =>
            {
                // The length rule (at most 2000 characters) is the service's: the column holds ciphertext.
                Check(t, "goals", "goal_text", "goal_text <> ''");
                Check(t, "goals", "goal_type", In("goal_type", DomainValues.GoalTypes));
                Check(t, "goals", "status", In("status", DomainValues.GoalStatuses));
                Check(t, "goals", "progress_percentage", "progress_percentage BETWEEN 0 AND 100");
                Check(t, "goals", "source", In("source", DomainValues.GoalSources));
            });
        });

        model.Entity<CoachingSession>(e =>
        {
            Owned(e, "sessions", indexUser: false);
            e.Property(s => s.Status)
                .HasConversion(v => v.ToWire(), v => SessionStatusRules.FromWire(v))
                .HasDefaultValue(SessionStatus.Started);
            e.Property(s => s.EmotionalSnapshot).HasJsonb();
            e.Property(s => s.KeyInsights).IsEncryptedJson();
            e.Property(s => s.SuggestedGoals).IsEncryptedJson();
            // Beside prompt versions it holds the summary's description of the virtue earned, written about the user.
            e.Property(s => s.Metadata).IsEncryptedJson().HasDefaultValueSql("'{}'");
            e.Property(s => s.SafetyFlagged).HasDefaultValue(false);
            Timestamps(e, "started_at", "created_at");
            e.HasIndex(s => new { s.UserId, s.SessionDate }).HasDatabaseName("ix_sessions_user_id_session_date");
            e.HasIndex(s => new { s.UserId, s.StartedAt }).IsDescending(false, true).HasDatabaseName("ix_sessions_user_id_started_at");
            e.ToTable(t =>
            {
                Check(t, "sessions", "session_type", In("session_type", DomainValues.SessionTypes));
                Check(t, "sessions", "status", In("status", SessionStatusRules.WireNames));
                Check(t, "sessions", "coach_persona", "coach_persona IS NULL OR " + In("coach_persona", Profiles.CoachPersona.All));
                Check(t, "sessions", "duration_seconds", "duration_seconds IS NULL OR duration_seconds >= 0");
                Check(t, "sessions", "completed_at", "completed_at IS NULL OR completed_at >= started_at");
                Check(t, "sessions", "emotional_snapshot", "emotional_snapshot IS NULL OR jsonb_typeof(emotional_snapshot) = 'array'");
                Check(t, "sessions", "key_insights", "key_insights IS NULL OR key_insights LIKE 'enc1:%'");
                Check(t, "sessions", "suggested_goals", "suggested_goals IS NULL OR suggested_goals LIKE 'enc1:%'");
            });
        });

        model.Entity<Message>(e =>
        {
            Owned(e, "messages");
            e.Property(m => m.Kind).HasDefaultValue("text");
            e.Property(m => m.Interrupted).HasDefaultValue(false);
            e.Property(m => m.CutOff).HasDefaultValue(false);
            // The actions quote the goal's text.
            e.Property(m => m.Actions).IsEncryptedJson();
            e.Property(m => m.Content).IsEncrypted();
            e.Property(m => m.HeardContent).IsEncrypted();
            Timestamps(e, "created_at");
            e.HasOne<CoachingSession>().WithMany().HasForeignKey(m => m.SessionId)
                .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_messages_session_id");
            e.HasIndex(m => new { m.SessionId, m.SequenceNumber }).IsUnique().HasDatabaseName("ux_messages_session_id_sequence_number");
            e.HasIndex(m => new { m.SessionId, m.ClientTurnId, m.Role }).IsUnique()
                .HasFilter("client_turn_id IS NOT NULL").HasDatabaseName("ux_messages_session_id_client_turn_id_role");
            e.ToTable(t =>
            {
                Check(t, "messages", "sequence_number", "sequence_number >= 1");
                Check(t, "messages", "role", In("role", DomainValues.MessageRoles));
                Check(t, "messages", "kind", In("kind", DomainValues.MessageKinds));
                Check(t, "messages", "heard_content", "heard_content IS NULL OR role = 'assistant'");
                Check(t, "messages", "actions", "actions IS NULL OR (role = 'assistant' AND actions LIKE 'enc1:%')");
                Check(t, "messages", "prompt_hash", PromptHash);
                Check(t, "messages", "client_turn_id", "client_turn_id IS NULL OR length(client_turn_id) BETWEEN 1 AND 100");
                Check(t, "messages", "tokens",
                    "(input_tokens IS NULL OR input_tokens >= 0) AND (output_tokens IS NULL OR output_tokens >= 0)"
                    + " AND (wasted_input_tokens IS NULL OR wasted_input_tokens >= 0) AND (wasted_output_tokens IS NULL OR wasted_output_tokens >= 0)");
                Check(t, "messages", "latency",
                    "(time_to_first_token_ms IS NULL OR time_to_first_token_ms >= 0) AND (time_to_first_sentence_ms IS NULL OR time_to_first_sentence_ms >= 0) AND (total_ms IS NULL OR total_ms >= 0)");
            });
        });

        model.Entity<MessageEmotion>(e =>
        {
            Owned(e, "message_emotions", indexUser: false);
            e.Property(m => m.Confidence).HasPrecision(3, 2);
            Timestamps(e, "created_at");
            e.HasOne<Message>().WithMany().HasForeignKey(m => m.MessageId)
                .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_message_emotions_message_id");
            e.HasOne<CoachingSession>().WithMany().HasForeignKey(m => m.SessionId)
                .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_message_emotions_session_id");
            e.HasIndex(m => m.MessageId).HasDatabaseName("ix_message_emotions_message_id");
            e.HasIndex(m => m.SessionId).HasDatabaseName("ix_message_emotions_session_id");
            e.HasIndex(m => new { m.UserId, m.CreatedAt }).HasDatabaseName("ix_message_emotions_user_id_created_at");
            e.ToTable(t =>
            {
                Check(t, "message_emotions", "emotion", "length(emotion) BETWEEN 1 AND 40");
                Check(t, "message_emotions", "intensity", "intensity BETWEEN 1 AND 5");
                Check(t, "message_emotions", "color", "color ~ '^#[0-9A-Fa-f]{6}$'");
                Check(t, "message_emotions", "prompt_hash", PromptHash);
                Check(t, "message_emotions", "confidence", "confidence BETWEEN 0 AND 1");
            });
        });

        model.Entity<SessionMetric>(e =>
        {
            Owned(e, "session_metrics");
            e.Property(m => m.Name).HasColumnName("metric_name");
            e.Property(m => m.Value).HasColumnName("metric_value").HasPrecision(14, 4);
            e.Property(m => m.Unit).HasColumnName("metric_unit");
            Timestamps(e, "calculated_at");
            e.HasOne<CoachingSession>().WithMany().HasForeignKey(m => m.SessionId)
                .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_session_metrics_session_id");
            e.HasIndex(m => new { m.SessionId, m.Name }).IsUnique().HasDatabaseName("ux_session_metrics_session_id_metric_name");
            e.ToTable(t => Check(t, "session_metrics", "metric_name", "length(metric_name) BETWEEN 1 AND 100"));
        });

        model.Entity<Streak>(e =>
        {
            Owned(e, "streaks", indexUser: false);
            e.Property(s => s.CurrentStreak).HasDefaultValue(0);
            e.Property(s => s.LongestStreak).HasDefaultValue(0);
            Timestamps(e, "created_at", "updated_at");
            e.HasIndex(s => new { s.UserId, s.StreakType }).IsUnique().HasDatabaseName("ux_streaks_user_id_streak_type");
            e.ToTable(t =>
            {
                Check(t, "streaks", "streak_type", In("streak_type", DomainValues.StreakTypes));
                Check(t, "streaks", "current_streak", "current_streak >= 0");
                Check(t, "streaks", "longest_streak", "longest_streak >= current_streak");
            });
        });

        model.Entity<Virtue>(e =>
        {
            Owned(e, "virtues", indexUser: false);
            e.Property(v => v.TimesEarned).HasDefaultValue(1);
            // The name is a label the unique index needs; the description is the model's sentence about the user.
            e.Property(v => v.Description).IsEncrypted();
            Timestamps(e, "first_earned_at", "last_earned_at");
            e.HasOne<CoachingSession>().WithMany().HasForeignKey(v => v.FirstSessionId)
                .OnDelete(DeleteBehavior.SetNull).HasConstraintName("fk_virtues_first_session_id");
            e.HasIndex(v => new { v.UserId, v.Name }).IsUnique().HasDatabaseName("ux_virtues_user_id_name");
            e.HasIndex(v => v.FirstSessionId).HasDatabaseName("ix_virtues_first_session_id");
            e.ToTable(t =>
            {
                Check(t, "virtues", "name", "length(name) BETWEEN 1 AND 40");
                Check(t, "virtues", "times_earned", "times_earned >= 1");
                Check(t, "virtues", "last_earned_at", "last_earned_at >= first_earned_at");
            });
        });

        model.Entity<Achievement>(e =>
        {
            e.ToTable("achievements");
            e.HasKey(a => a.Id).HasName("pk_achievements");
            e.Property(a => a.Id).HasDefaultValueSql("gen_random_uuid()");
            e.Property(a => a.Criteria).HasJsonb();
            e.Property(a => a.Points).HasDefaultValue(0);
            e.Property(a => a.IsActive).HasDefaultValue(true);
            Timestamps(e, "created_at");
            e.HasIndex(a => a.Code).IsUnique().HasDatabaseName("ux_achievements_code");
            e.ToTable(t =>
            {
                Check(t, "achievements", "criteria",
                    "jsonb_typeof(criteria) = 'object' AND (criteria ->> 'type') IN ('session_count', 'streak', 'virtues_collected', 'total_minutes', 'goals_completed') AND jsonb_typeof(criteria -> 'target') = 'number' AND (criteria ->> 'target')::numeric >= 1");
                Check(t, "achievements", "points", "points >= 0");
            });
        });

        model.Entity<UserAchievement>(e =>
        {
            Owned(e, "user_achievements", indexUser: false);
            Timestamps(e, "earned_at");
            e.HasOne<Achievement>().WithMany().HasForeignKey(a => a.AchievementId)
                .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_user_achievements_achievement_id");
            e.HasIndex(a => new { a.UserId, a.AchievementId }).IsUnique().HasDatabaseName("ux_user_achievements_user_id_achievement_id");
            e.HasIndex(a => a.AchievementId).HasDatabaseName("ix_user_achievements_achievement_id");
        });

        model.Entity<MoodCheckIn>(e =>
        {
            Owned(e, "mood_checkins", indexUser: false);
            // Triggers are the user's own phrases (up to 100 characters each), not a vocabulary.
            e.Property(m => m.Triggers).IsEncryptedJson().HasDefaultValueSql("'[]'");
            e.Property(m => m.Context).IsEncrypted();
            Timestamps(e, "recorded_at");
            e.HasIndex(m => new { m.UserId, m.RecordedAt }).IsDescending(false, true).HasDatabaseName("ix_mood_checkins_user_id_recorded_at");
            e.ToTable(t =>
            {
                Check(t, "mood_checkins", "mood", "length(mood) BETWEEN 1 AND 50");
                Check(t, "mood_checkins", "intensity", "intensity BETWEEN 1 AND 10");
            });
        });

        model.Entity<ErasedUser>(e =>
        {
            // No foreign key: the user row is gone. Row level security: id = coach_current_user_id().
            e.ToTable("erased_users");
            e.HasKey(x => x.Id).HasName("pk_erased_users");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasQueryFilter(x => x.Id == CurrentUserId);
        });

        model.Entity<Conversations.TurnClaim>(e =>
        {
            // One per session: the key is what makes a second instance's claim fail. Row level security as
            // for every user-owned table; the dead-owner sweep is a SECURITY DEFINER function.
            e.ToTable("turn_claims");
            e.HasKey(c => c.SessionId).HasName("pk_turn_claims");
            e.Property(c => c.SessionId).ValueGeneratedNever();
            e.HasOne<CoachingSession>().WithMany().HasForeignKey(c => c.SessionId)
                .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_turn_claims_session_id");
            e.HasOne<User>().WithMany().HasForeignKey(c => c.UserId)
                .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_turn_claims_user_id");
            e.HasIndex(c => c.UserId).HasDatabaseName("ix_turn_claims_user_id");
            e.HasIndex(c => c.OwnerKey).HasDatabaseName("ix_turn_claims_owner_key");
            e.Property(c => c.Listeners).HasDefaultValueSql("'{}'::text[]");
            e.HasQueryFilter(c => c.UserId == CurrentUserId);
        });

        model.Entity<Conversations.TurnBucket>(e =>
        {
            e.ToTable("turn_buckets");
            e.HasKey(b => b.UserId).HasName("pk_turn_buckets");
            e.Property(b => b.UserId).ValueGeneratedNever();
            e.HasOne<User>().WithMany().HasForeignKey(b => b.UserId)
                .OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_turn_buckets_user_id");
            e.HasQueryFilter(b => b.UserId == CurrentUserId);
        });

        SnakeCaseColumns(model);
    }

    /// <summary>Table, key and the cascade from users for a user-owned entity.</summary>
    private void Owned<T>(EntityTypeBuilder<T> e, string table, bool indexUser = true) where T : class, IUserOwned
    {
        e.ToTable(table);
        e.HasKey("Id").HasName($"pk_{table}");
        e.Property<Guid>("Id").HasDefaultValueSql("gen_random_uuid()");
        e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId)
            .OnDelete(DeleteBehavior.Cascade).HasConstraintName($"fk_{table}_user_id");
        if (indexUser)
        {
            e.HasIndex(x => x.UserId).HasDatabaseName($"ix_{table}_user_id");
        }

        e.HasQueryFilter(x => x.UserId == CurrentUserId);
    }

    private static void Table<T>(EntityTypeBuilder<T> e, string table) where T : class
    {
        e.ToTable(table);
        e.HasKey("Id").HasName($"pk_{table}");
        e.Property<Guid>("Id").HasDefaultValueSql("gen_random_uuid()");
    }

    private static void Timestamps<T>(EntityTypeBuilder<T> e, params string[] columns) where T : class
    {
        foreach (var column in columns)
        {
            var property = e.Metadata.GetProperties().Single(p => ToSnakeCase(p.Name) == column);
            e.Property(property.Name).HasDefaultValueSql("now()");
        }
    }

    /// <summary>A rendered prompt's SHA-256 as the prompt's function records it (lower-case hex), or none.</summary>
    private const string PromptHash = "prompt_hash IS NULL OR prompt_hash ~ '^[0-9a-f]{64}$'";

    private static void Check(TableBuilder t, string table, string name, string sql) =>
        t.HasCheckConstraint($"ck_{table}_{name}", sql);

    private static string In(string column, IEnumerable<string> values) =>
        $"{column} IN ({string.Join(", ", values.Select(v => $"'{v}'"))})";

    private static void SnakeCaseColumns(ModelBuilder model)
    {
        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName() == property.Name)
                {
                    property.SetColumnName(ToSnakeCase(property.Name));
                }
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
