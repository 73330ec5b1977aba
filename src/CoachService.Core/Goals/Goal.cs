using CoachService.Persistence;

namespace CoachService.Goals;

/// <summary>A goal the user works towards (seed 001 user_goals).</summary>
public sealed class Goal : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string GoalText { get; set; }

    /// <summary>The SMART form of the goal.</summary>
    public string? SmartGoal { get; set; }

    /// <summary>emotional_wellness, personal_growth, relationships, career, health or mindfulness.</summary>
    public string GoalType { get; set; } = "emotional_wellness";

    /// <summary>active, completed, paused or archived.</summary>
    public string Status { get; set; } = "active";

    public DateOnly? TargetDate { get; set; }

    /// <summary>0..100.</summary>
    public int ProgressPercentage { get; set; }

    /// <summary>onboarding, session_suggestion or user_created.</summary>
    public string Source { get; set; } = "user_created";

    /// <summary>The session whose summary suggested this goal.</summary>
    public Guid? SuggestedBySessionId { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
