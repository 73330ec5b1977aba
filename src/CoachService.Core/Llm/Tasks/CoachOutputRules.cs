using CoachService.Profiles;
namespace CoachService.Llm.Tasks;

/// <summary>
/// Rules of the output records that a JSON schema cannot state; checked after the schema, with the
/// same repair attempt when they fail.
/// </summary>
internal static class CoachOutputRules
{
    public static IReadOnlyList<string> Check(object value) => value switch
    {
        PersonalityAssessmentResult result when !AreAdjacent(result.EnneagramType, result.EnneagramWing) =>
            [$"$.enneagram_wing: {result.EnneagramWing} is not adjacent to the enneagram_type {result.EnneagramType} (9 and 1 are adjacent)"],
        _ => [],
    };

    private static bool AreAdjacent(int type, int wing) => Math.Abs(type - wing) == 1 || (type, wing) is (9, 1) or (1, 9);
}
