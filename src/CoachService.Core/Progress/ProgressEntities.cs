using CoachService.Persistence;

namespace CoachService.Progress;

/// <summary>A streak (seed 001 user_streaks): daily_session, weekly_goal or monthly_virtue.</summary>
public sealed class Streak : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string StreakType { get; set; }
    public int CurrentStreak { get; set; }
    public int LongestStreak { get; set; }
    public DateOnly? LastActivityDate { get; set; }
    public DateOnly? StreakStartDate { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A virtue in the user's collection (seed 001 virtue_collection), unique per user and name.</summary>
public sealed class Virtue : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public string? Icon { get; set; }
    public Guid? FirstSessionId { get; set; }
    public int TimesEarned { get; set; } = 1;
    public DateTimeOffset FirstEarnedAt { get; set; }
    public DateTimeOffset LastEarnedAt { get; set; }
}

/// <summary>What earns an achievement: a measure and the value to reach.</summary>
/// <param name="Type">session_count, streak, virtues_collected, total_minutes or goals_completed.</param>
public sealed record AchievementCriteria(
    [property: System.Text.Json.Serialization.JsonPropertyName("type")] string Type,
    [property: System.Text.Json.Serialization.JsonPropertyName("target")] int Target);

/// <summary>An achievement of the catalogue (seeds 000 achievement_types, 004 achievements); shared by all users.</summary>
public sealed class Achievement
{
    public Guid Id { get; set; }

    /// <summary>Stable key, e.g. first_session.</summary>
    public required string Code { get; set; }

    public required string Title { get; set; }
    public required string Description { get; set; }
    public string? Icon { get; set; }
    public required AchievementCriteria Criteria { get; set; }
    public int Points { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An achievement a user earned, once.</summary>
public sealed class UserAchievement : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid AchievementId { get; set; }
    public DateTimeOffset EarnedAt { get; set; }

    /// <summary>The value reached when it was earned.</summary>
    public int AchievedValue { get; set; }
}
