using CoachService.Profiles;

namespace CoachService.Users;

/// <summary>The user as they see themselves: account, current personality profile, focus areas.</summary>
public sealed record UserOverview(
    Guid Id,
    string Email,
    string? Name,
    string PreferredLanguage,
    string Timezone,
    bool OnboardingCompleted,
    int AchievementPoints,
    PersonalityProfileView? PersonalityProfile,
    IReadOnlyList<FocusCategoryView> EmotionalFocusCategories);

/// <summary>The latest personality assessment.</summary>
public sealed record PersonalityProfileView(
    string DiscType,
    DiscScores? DiscScores,
    int EnneagramType,
    int? EnneagramWing,
    decimal Confidence,
    IReadOnlyList<string> Insights,
    DateTimeOffset CompletedAt);

public sealed record FocusCategoryView(string Category, int Priority);

/// <summary>Changes to the account; a null leaves the value as it is.</summary>
public sealed record UserChanges(string? Name = null, string? PreferredLanguage = null, string? Timezone = null);
