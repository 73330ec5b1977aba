using CoachService.Persistence;

namespace CoachService.Profiles;

/// <summary>
/// One completed personality assessment (seed 001 onboarding_profiles + enneagram_assessments).
/// History is kept; the latest one is the user's current profile.
/// </summary>
public sealed class PersonalityAssessment : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>The onboarding session the assessment came from, if any.</summary>
    public Guid? SessionId { get; set; }

    /// <summary>D, I, S or C.</summary>
    public required string DiscType { get; set; }
    public DiscScores? DiscScores { get; set; }

    /// <summary>1..9.</summary>
    public int EnneagramType { get; set; }

    /// <summary>1..9 and adjacent to the type, or none.</summary>
    public int? EnneagramWing { get; set; }

    /// <summary>Nine scores for types 1..9.</summary>
    public List<double>? EnneagramScores { get; set; }

    /// <summary>0..1.</summary>
    public decimal Confidence { get; set; }

    public List<string> Insights { get; set; } = [];
    public string? AssessmentTranscript { get; set; }
    public int? AssessmentDurationSeconds { get; set; }
    public string? PromptVersion { get; set; }

    /// <summary>SHA-256 (hex) of the rendered prompt that scored the assessment.</summary>
    public string? PromptHash { get; set; }

    public DateTimeOffset CompletedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An emotional focus area the user named (seed 001 user_emotional_categories), unique per user.</summary>
public sealed class EmotionalFocusCategory : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>One of <see cref="DomainValues.EmotionalCategories"/>.</summary>
    public required string Category { get; set; }

    /// <summary>1..5.</summary>
    public int Priority { get; set; } = 1;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>How and when the user likes to be coached (seed 001 ritual_preferences), one row per user.</summary>
public sealed class CoachingPreferences : IUserOwned
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>morning_person, evening_person or flexible.</summary>
    public string Timing { get; set; } = "flexible";

    /// <summary>quick_focused, deeper_dive or variable.</summary>
    public string Duration { get; set; } = "variable";

    /// <summary>guided_structure, open_conversation or mixed.</summary>
    public string Style { get; set; } = "mixed";

    /// <summary>One of <see cref="CoachPersona.All"/>.</summary>
    public string CoachPersona { get; set; } = Profiles.CoachPersona.WarmFriend;

    /// <summary>The voice id of an external text-to-speech service, passed through to voice front-ends.</summary>
    public string? TtsVoiceId { get; set; }

    public string? FocusArea { get; set; }

    /// <summary>daily, weekdays or custom.</summary>
    public string SessionFrequency { get; set; } = "daily";

    public TimeOnly? PreferredSessionTime { get; set; }
    public bool RemindersEnabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
