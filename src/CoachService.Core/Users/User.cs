namespace CoachService.Users;

/// <summary>A person who talks to a coach (seed 001 users).</summary>
public sealed class User
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    public string? Name { get; set; }

    /// <summary>en, pt, es or fr.</summary>
    public string PreferredLanguage { get; set; } = "en";

    /// <summary>IANA time zone id; dates such as a session's date and streaks are counted in it.</summary>
    public string Timezone { get; set; } = "UTC";

    public bool OnboardingCompleted { get; set; }

    /// <summary>Points from earned achievements.</summary>
    public int AchievementPoints { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A per-user setting (seed 001 app_settings).</summary>
public sealed class UserSetting : Persistence.IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Key { get; set; }

    /// <summary>The value as JSON text (stored as jsonb).</summary>
    public required string ValueJson { get; set; }

    /// <summary>user, system or feature_flag.</summary>
    public string SettingType { get; set; } = "user";

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
