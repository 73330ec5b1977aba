using CoachService.Profiles;
namespace CoachService.Llm.Tasks;

/// <summary>The output record of each structured task; text tasks are absent.</summary>
public static class CoachTaskOutputs
{
    public static IReadOnlyDictionary<string, Type> Types { get; } = new Dictionary<string, Type>
    {
        [CoachTask.AssessmentScoring] = typeof(PersonalityAssessmentResult),
        [CoachTask.EmotionalSnapshot] = typeof(EmotionalSnapshotResult),
        [CoachTask.SessionSummary] = typeof(SessionSummaryResult),
        [CoachTask.GoalSuggestions] = typeof(GoalSuggestionsResult),
        [CoachTask.SafetyScreen] = typeof(SafetyScreenResult),
    };
}
