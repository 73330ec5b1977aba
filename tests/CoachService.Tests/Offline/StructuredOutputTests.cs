using System.Text.RegularExpressions;
using CoachService.Llm.Tasks;
using CoachService.Profiles;
using static CoachService.Tests.Offline.OfflineTestKit;

namespace CoachService.Tests.Offline;

/// <summary>
/// Every structured answer must pass the schema written from the records' doc comments:
/// exact property names (checked in <see cref="OfflineTestKit.ResultAsync{T}"/>) and every
/// value inside its documented range, enum and length.
/// </summary>
public sealed partial class StructuredOutputTests
{
    private static readonly string[] FocusCategories =
        ["stress_management", "goal_achievement", "relationships", "self_worth", "emotional_regulation", "work_life_balance", "personal_growth", "mindfulness"];

    private static readonly string[] GoalTypes = ["emotional_wellness", "personal_growth", "relationships", "career", "health", "mindfulness"];

    private static readonly string[] SafetyCategories = ["self_harm", "suicidal_ideation", "harm_to_others", "abuse", "medical_emergency"];

    // Short, long, empty and odd inputs: ranges must hold for all of them.
    public static TheoryData<string> Texts() =>
    [
        string.Empty,
        "ok",
        "I'm SO stressed!!! Deadlines, deadlines, deadlines. I can't sleep and I'm worried and anxious and tense!!!",
        "I want to run a 5k, I'd like to call my dad every week, my goal is to read 20 books, I need to sleep more and I want to learn Spanish.",
        string.Join(' ', Enumerable.Repeat("I love my team and we decide together, maybe, but I plan every detail carefully? ", 40)),
        "I want to kill myself. He hits me. I have chest pain. I'm going to hurt my boss.",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Assessment_scoring_stays_within_its_ranges(string transcript)
    {
        var result = await ResultAsync<PersonalityAssessmentResult>(CoachTask.AssessmentScoring, new Dictionary<string, object?> { ["transcript"] = transcript });

        Assert.Contains(result.DiscType, new[] { "D", "I", "S", "C" });
        Assert.All(new[] { result.DiscScores.D, result.DiscScores.I, result.DiscScores.S, result.DiscScores.C }, score => Assert.InRange(score, 0, 1));
        Assert.InRange(result.EnneagramType, 1, 9);
        Assert.InRange(result.EnneagramWing, 1, 9);
        var distance = Math.Abs(result.EnneagramType - result.EnneagramWing);
        Assert.True(distance == 1 || distance == 8, $"wing {result.EnneagramWing} is not adjacent to {result.EnneagramType}");
        Assert.Equal(9, result.EnneagramScores.Count);
        Assert.All(result.EnneagramScores, score => Assert.InRange(score, 0, 1));
        Assert.InRange(result.Confidence, 0, 1);
        Assert.InRange(result.Insights.Count, 1, 5);
        Assert.All(result.Insights, insight => Assert.InRange(insight.Length, 1, 300));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Emotional_snapshot_stays_within_its_ranges(string message)
    {
        var result = await ResultAsync<EmotionalSnapshotResult>(CoachTask.EmotionalSnapshot, new Dictionary<string, object?> { ["message"] = message });

        Assert.InRange(result.Emotions.Count, 1, 5);
        Assert.All(result.Emotions, reading =>
        {
            Assert.InRange(reading.Emotion.Length, 1, 40);
            Assert.Equal(reading.Emotion.ToLowerInvariant(), reading.Emotion);
            Assert.InRange(reading.Intensity, 1, 5);
            Assert.Matches(ColourPattern(), reading.Color);
            Assert.InRange(reading.Confidence, 0, 1);
        });
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Session_summary_stays_within_its_ranges(string transcript)
    {
        var result = await ResultAsync<SessionSummaryResult>(CoachTask.SessionSummary, new Dictionary<string, object?> { ["persona"] = CoachPersona.WarmFriend, ["transcript"] = transcript });

        Assert.InRange(result.Virtue.Name.Length, 1, 40);
        Assert.InRange(result.Virtue.Description.Length, 1, 300);
        Assert.InRange(result.KeyInsights.Count, 1, 5);
        Assert.All(result.KeyInsights, insight =>
        {
            Assert.InRange(insight.Insight.Length, 1, 500);
            Assert.Contains(insight.Category, FocusCategories);
            Assert.InRange(insight.Importance, 1, 5);
        });
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Goal_suggestions_stay_within_their_ranges(string transcript)
    {
        var result = await ResultAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, new Dictionary<string, object?> { ["transcript"] = transcript, ["active_goals"] = new List<string>() });

        Assert.InRange(result.Goals.Count, 1, 3);
        Assert.All(result.Goals, goal =>
        {
            Assert.Contains(goal.Category, GoalTypes);
            Assert.InRange(goal.Description.Length, 1, 300);
            Assert.InRange(goal.SmartGoal.Length, 1, 500);
            Assert.InRange(goal.Timeframe.Length, 1, 60);
            Assert.InRange(goal.Priority, 1, 5);
        });
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Safety_screen_stays_within_its_ranges(string message)
    {
        var result = await ResultAsync<SafetyScreenResult>(CoachTask.SafetyScreen, new Dictionary<string, object?> { ["message"] = message });

        Assert.Contains(result.RiskLevel, new[] { "none", "low", "elevated", "crisis" });
        Assert.Equal(result.RiskLevel == "crisis", result.IsCrisis);
        Assert.InRange(result.Categories.Count, 0, 5);
        Assert.All(result.Categories, category => Assert.Contains(category, SafetyCategories));
        Assert.Equal(result.Categories.Count, result.Categories.Distinct().Count());
        Assert.InRange(result.Rationale.Length, 1, 300);
    }

    [GeneratedRegex("^#[0-9A-F]{6}$")]
    private static partial Regex ColourPattern();
}
