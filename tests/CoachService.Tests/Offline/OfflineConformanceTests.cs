using CoachService.Llm.Offline;
using CoachService.Llm.Tasks;
using CoachService.Profiles;
using CoachService.Tests.Prompts;

namespace CoachService.Tests.Offline;

/// <summary>The offline engine through the real prompts and the real task runner: its output passes every schema as is.</summary>
public sealed class OfflineConformanceTests
{
    private static readonly LlmTaskRunner Runner = KernelTestKit.Runner(new OfflineChatClient(new OfflineEngineOptions { WordDelay = TimeSpan.Zero }));

    public static TheoryData<string> Messages => new()
    {
        "Work has been a lot this week and I can't sleep.",
        "I'm so happy! My sister and I finally talked again.",
        "ok",
        "I want to run a 5k by spring and my goal is to stop snacking at night.",
        "Honestly I don't know. Maybe. I guess I'm fine?",
        new string('x', 3900),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Every_structured_task_passes_its_schema_without_repair(string message)
    {
        var transcript = $"coach: How are you?\nuser: {message}\ncoach: Tell me more.\nuser: {message}";
        var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

        var results = new List<(string Task, bool Repaired)>
        {
            await Check(Runner.RunStructuredAsync<SafetyScreenResult>(CoachTask.SafetyScreen, Inputs(("message", message)), cancel)),
            await Check(Runner.RunStructuredAsync<EmotionalSnapshotResult>(CoachTask.EmotionalSnapshot, Inputs(("message", message)), cancel)),
            await Check(Runner.RunStructuredAsync<SessionSummaryResult>(CoachTask.SessionSummary, Inputs(("persona", "wise_mentor"), ("transcript", transcript)), cancel)),
            await Check(Runner.RunStructuredAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, Inputs(("transcript", transcript), ("active_goals", new[] { "Sleep by eleven" })), cancel)),
            await Check(Runner.RunStructuredAsync<PersonalityAssessmentResult>(CoachTask.AssessmentScoring, Inputs(("transcript", transcript)), cancel)),
        };

        Assert.All(results, r => Assert.False(r.Repaired, $"{r.Task} needed a repair"));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task The_text_tasks_stream_a_reply(string message)
    {
        var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
        var reply = "";
        await foreach (var update in Runner.StreamTextAsync(CoachTask.CoachReply, Inputs(
            ("persona", "gentle_guide"), ("language", "en"), ("user_name", "Ana"), ("disc_type", "S"), ("enneagram_type", 2),
            ("active_goals", new[] { "Walk every morning" }), ("recent_insights", Array.Empty<string>()), ("message", message)), null, cancel))
        {
            reply += update.Text;
        }

        var question = "";
        await foreach (var update in Runner.StreamTextAsync(CoachTask.AssessmentQuestion, Inputs(
            ("user_name", "Ana"), ("question_number", 2), ("message", message)), null, cancel))
        {
            question += update.Text;
        }

        Assert.False(string.IsNullOrWhiteSpace(reply));
        Assert.False(string.IsNullOrWhiteSpace(question));
    }

    private static async Task<(string, bool)> Check<T>(Task<StructuredResult<T>> run)
    {
        var result = await run;
        Assert.Equal("coach-offline-heuristic-1", result.ModelId);
        return (result.Task, result.Repaired);
    }

    private static Dictionary<string, object?> Inputs(params (string Name, object? Value)[] inputs) =>
        inputs.ToDictionary(i => i.Name, i => i.Value);
}
