using CoachService.Persistence;

namespace CoachService.Wellbeing;

/// <summary>A mood check-in (seed 004 mood_tracking).</summary>
public sealed class MoodCheckIn : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Mood { get; set; }

    /// <summary>1..10.</summary>
    public int Intensity { get; set; }

    public string? Context { get; set; }
    public List<string> Triggers { get; set; } = [];
    public DateTimeOffset RecordedAt { get; set; }
}
