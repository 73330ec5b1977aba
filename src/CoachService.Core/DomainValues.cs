namespace CoachService;

/// <summary>
/// The closed sets of values the seeds allow. The database enforces the same sets with CHECK
/// constraints (see the initial migration); these lists serve validation messages and the API.
/// </summary>
public static class DomainValues
{
    public static IReadOnlyList<string> Languages { get; } = ["en", "pt", "es", "fr"];
    public static IReadOnlyList<string> DiscTypes { get; } = ["D", "I", "S", "C"];

    public static IReadOnlyList<string> EmotionalCategories { get; } =
    [
        "stress_management", "goal_achievement", "relationships", "self_worth",
        "emotional_regulation", "work_life_balance", "personal_growth", "mindfulness",
    ];

    public static IReadOnlyList<string> GoalTypes { get; } =
        ["emotional_wellness", "personal_growth", "relationships", "career", "health", "mindfulness"];

    public static IReadOnlyList<string> GoalStatuses { get; } = ["active", "completed", "paused", "archived"];
    public static IReadOnlyList<string> GoalSources { get; } = ["onboarding", "session_suggestion", "user_created"];

    public static IReadOnlyList<string> Timings { get; } = ["morning_person", "evening_person", "flexible"];
    public static IReadOnlyList<string> Durations { get; } = ["quick_focused", "deeper_dive", "variable"];
    public static IReadOnlyList<string> Styles { get; } = ["guided_structure", "open_conversation", "mixed"];
    public static IReadOnlyList<string> SessionFrequencies { get; } = ["daily", "weekdays", "custom"];

    public static IReadOnlyList<string> SessionTypes { get; } =
        ["face_to_face", "spoken_presence", "silent_reflection", "written_clarity", "onboarding_assessment"];

    public static IReadOnlyList<string> MessageRoles { get; } = ["user", "assistant", "system"];
    public static IReadOnlyList<string> MessageKinds { get; } = ["text", "scenario", "advice", "assessment_question", "safety"];
    public static IReadOnlyList<string> StreakTypes { get; } = ["daily_session", "weekly_goal", "monthly_virtue"];
    public static IReadOnlyList<string> SettingTypes { get; } = ["user", "system", "feature_flag"];

    public static IReadOnlyList<string> AchievementCriteriaTypes { get; } =
        ["session_count", "streak", "virtues_collected", "total_minutes", "goals_completed"];
}
