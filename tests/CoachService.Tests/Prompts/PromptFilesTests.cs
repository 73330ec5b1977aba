using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json;
using CoachService.Goals;
using CoachService.Json;
using CoachService.Llm.Tasks;
using CoachService.Profiles;
using CoachService.Prompts;
using CoachService.Sessions;
using Microsoft.Extensions.AI;

namespace CoachService.Tests.Prompts;

/// <summary>The repository's prompt files: they load, render their samples, and their schemas fit the records.</summary>
public sealed class PromptFilesTests
{
    private static readonly PromptLibrary Library = PromptTestFiles.RepositoryLibrary();

    public static TheoryData<string> Tasks => [.. CoachTask.All];

    public static TheoryData<string> StructuredTasks => [.. CoachTaskOutputs.Types.Keys];

    /// <summary>A hand-written valid output of each structured task.</summary>
    private static readonly Dictionary<string, object> SampleOutputs = new()
    {
        [CoachTask.AssessmentScoring] = new PersonalityAssessmentResult(
            "I", new DiscScores(0.3, 0.8, 0.5, 0.2), 7, 8, [0.1, 0.2, 0.3, 0.2, 0.1, 0.4, 0.9, 0.6, 0.3], 0.6,
            ["You get energy from people and new ideas."]),
        [CoachTask.EmotionalSnapshot] = new EmotionalSnapshotResult(
            [new EmotionReading("pride", 4, "#F5B700", 0.8), new EmotionReading("anxiety", 3, "#7A5CFA", 0.7)]),
        [CoachTask.SessionSummary] = new SessionSummaryResult(
            new VirtueEarned("courage", "You said no to a project even though it scared you."),
            [new KeyInsight("Setting limits at work leaves you feeling lighter.", "work_life_balance", 4)]),
        [CoachTask.GoalSuggestions] = new GoalSuggestionsResult(
            [new SuggestedGoal("health", "Better sleep helps your mood.", "Phone away at 22:00 and lights out by 23:00 on five nights a week.", "2 weeks", 4)]),
        [CoachTask.SafetyScreen] = new SafetyScreenResult("elevated", false, ["suicidal_ideation"], "Passive thoughts of not being missed; a gentle check-in is needed."),
    };

    [Fact]
    public void EveryTaskHasAPromptWithAContentHashVersion()
    {
        foreach (var task in CoachTask.All)
        {
            var prompt = Library.Get(task);
            Assert.Equal(task, prompt.Name);
            Assert.Matches("^[0-9a-f]{12}$", prompt.Version);
            Assert.Equal($"prompts/{task}.prompty", prompt.File);
        }

        Assert.Equal(CoachTask.All.Order(), Library.All.Select(p => p.Name).Order());
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void SampleInputsRenderSystemThenUserMessages(string task)
    {
        var prompt = Library.Get(task);
        var inputs = prompt.Inputs.Values.Where(i => i.Type != PromptInputType.ChatHistory).ToDictionary(i => i.Name, i => i.Sample);
        var history = prompt.HistoryInput is { } name ? (List<ChatMessage>)prompt.Inputs[name].Sample! : null;

        var messages = prompt.Render(inputs, history);

        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.Equal(ChatRole.User, messages[^1].Role);
        Assert.Single(messages, m => m.Role == ChatRole.System);
        Assert.DoesNotContain(messages, m => m.Text.Contains("{{", StringComparison.Ordinal));
        foreach (var userInput in prompt.Inputs.Values.Where(i => i.Source == PromptInputSource.User && i.Sample is string))
        {
            Assert.DoesNotContain((string)userInput.Sample!, messages[0].Text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void TextTasksHaveNoSchemaAndStructuredTasksHaveOne(string task) =>
        Assert.Equal(CoachTaskOutputs.Types.ContainsKey(task), Library.Get(task).IsStructured);

    [Theory]
    [MemberData(nameof(StructuredTasks))]
    public void SchemaAcceptsAValidOutputOfTheRecord(string task)
    {
        var schema = Library.Get(task).OutputSchema!.Value;
        var output = JsonSerializer.SerializeToElement(SampleOutputs[task], SampleOutputs[task].GetType());

        Assert.Empty(JsonSchemaValidator.Validate(schema, output));
    }

    [Theory]
    [MemberData(nameof(StructuredTasks))]
    public void SchemaDeclaresExactlyTheRecordsProperties(string task) =>
        AssertSchemaMatches(Library.Get(task).OutputSchema!.Value, CoachTaskOutputs.Types[task], "$");

    [Fact]
    public void CoachReplyPutsPersonaInSystemAndUserContextInTheLastUserMessage()
    {
        var messages = Library.Get(CoachTask.CoachReply).Render(
            new Dictionary<string, object?>
            {
                ["persona"] = CoachPersona.ConfidentCoach,
                ["language"] = "en",
                ["user_name"] = "Ana",
                ["disc_type"] = "D",
                ["enneagram_type"] = 3,
                ["active_goals"] = new[] { "Run a 5k in June" },
                ["recent_insights"] = Array.Empty<string>(),
                ["message"] = "I skipped training again.",
            },
            [new ChatMessage(ChatRole.User, "Hi"), new ChatMessage(ChatRole.Assistant, "Hey Ana, ready?")]);

        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], messages.Select(m => m.Role));
        Assert.Contains("Your persona is confident_coach", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("DISC type is D", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("- Run a 5k in June", messages[^1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Recent insights", messages[^1].Text, StringComparison.Ordinal);
        Assert.EndsWith("I skipped training again.", messages[^1].Text, StringComparison.Ordinal);
    }

    private static void AssertSchemaMatches(JsonElement schema, Type type, string path)
    {
        if (type == typeof(string) || type == typeof(int) || type == typeof(double) || type == typeof(bool))
        {
            var expected = type == typeof(string) ? "string" : type == typeof(int) ? "integer" : type == typeof(double) ? "number" : "boolean";
            Assert.True(expected == schema.GetProperty("type").GetString(), $"{path}: schema type should be {expected}");
            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            Assert.Equal("array", schema.GetProperty("type").GetString());
            AssertSchemaMatches(schema.GetProperty("items"), type.GetGenericArguments()[0], path + "[]");
            return;
        }

        Assert.Equal("object", schema.GetProperty("type").GetString());
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != "EqualityContract")
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name);
        var declared = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(properties.Keys.Order(), declared.Order());
        Assert.Equal(properties.Keys.Order(), schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order());
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        foreach (var (name, property) in properties)
        {
            AssertSchemaMatches(schema.GetProperty("properties").GetProperty(name), property.PropertyType, $"{path}.{name}");
        }
    }
}
