using CoachService.Llm.Tasks;
using CoachService.Profiles;
using CoachService.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoachService.Tests.Prompts;

public sealed class LlmTaskRunnerTests
{
    private const string ValidSafety = """{"risk_level":"low","is_crisis":false,"categories":[],"rationale":"Ordinary tiredness."}""";
    private const string UserText = "my secret diary entry";

    private static readonly Dictionary<string, object?> SafetyInputs = new() { ["message"] = UserText };

    private static LlmTaskRunner Runner(IChatClient client) => KernelTestKit.Runner(client);

    [Fact]
    public async Task AValidOutputIsReturnedWithItsProvenance()
    {
        var client = ScriptedChatClient.Replying("```json\n" + ValidSafety + "\n```");

        var result = await Runner(client).RunStructuredAsync<SafetyScreenResult>(CoachTask.SafetyScreen, SafetyInputs, CancellationToken.None)
            .WaitAsync(PromptTestFiles.Timeout);

        Assert.Equal("low", result.Value.RiskLevel);
        Assert.False(result.Repaired);
        Assert.Equal("scripted", result.ModelId);
        Assert.Equal(new LlmUsage(10, 5), result.Usage);
        var library = PromptTestFiles.RepositoryLibrary();
        Assert.Equal(library.Get(CoachTask.SafetyScreen).Version, result.PromptVersion);

        var options = Assert.Single(client.Requests).Options!;
        Assert.Equal(CoachTask.SafetyScreen, options.AdditionalProperties![CoachChatOptionKeys.Task]);
        Assert.Same(SafetyInputs, options.AdditionalProperties[CoachChatOptionKeys.Inputs]);
        Assert.Equal(result.PromptVersion, options.AdditionalProperties[CoachChatOptionKeys.PromptVersion]);
        Assert.Equal(0f, options.Temperature);
        Assert.Equal(200, options.MaxOutputTokens);
        var format = Assert.IsType<ChatResponseFormatJson>(options.ResponseFormat);
        Assert.Equal(CoachTask.SafetyScreen, format.SchemaName);
        Assert.NotNull(format.Schema);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task AnInvalidFirstOutputIsRepairedOnce()
    {
        var client = ScriptedChatClient.Replying("""{"risk_level":"high","is_crisis":false,"categories":[],"rationale":"x"}""", ValidSafety);

        var result = await Runner(client).RunStructuredAsync<SafetyScreenResult>(CoachTask.SafetyScreen, SafetyInputs, CancellationToken.None)
            .WaitAsync(PromptTestFiles.Timeout);

        Assert.True(result.Repaired);
        Assert.Equal("low", result.Value.RiskLevel);
        Assert.Equal(new LlmUsage(20, 10), result.Usage);
        var repair = client.Requests[1].Messages;
        // The same conversation: the first request's messages as they were sent, then the output and the errors.
        var first = client.Requests[0].Messages;
        Assert.Equal(first.Count + 2, repair.Count);
        Assert.Equal(first.Select(m => (m.Role, m.Text)), repair.Take(first.Count).Select(m => (m.Role, m.Text)));
        Assert.Equal(ChatRole.Assistant, repair[^2].Role);
        Assert.Contains("\"risk_level\":\"high\"", repair[^2].Text, StringComparison.Ordinal);
        Assert.Equal(ChatRole.User, repair[^1].Role);
        Assert.Contains("$.risk_level: a string value is not one of", repair[^1].Text, StringComparison.Ordinal);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task TwoInvalidOutputsFailWithoutReturningAnythingOrLeakingUserText()
    {
        var client = ScriptedChatClient.Replying("not json " + UserText, """{"risk_level":"none","is_crisis":"no","categories":[],"rationale":"" """ + "}");

        var error = await Assert.ThrowsAsync<LlmOutputInvalidException>(() =>
            Runner(client).RunStructuredAsync<SafetyScreenResult>(CoachTask.SafetyScreen, SafetyInputs, CancellationToken.None).WaitAsync(PromptTestFiles.Timeout));

        Assert.Equal(CoachTask.SafetyScreen, error.Task);
        Assert.Equal(["$.is_crisis: expected boolean but found a string"], error.Errors);
        Assert.Contains("safety_screen", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(UserText, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, client.Requests.Count);
        Assert.Contains("the reply is not a JSON value", client.Requests[1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task RulesBeyondTheSchemaAlsoNeedARepair()
    {
        const string nonAdjacentWing = """{"disc_type":"I","disc_scores":{"d":0.1,"i":0.9,"s":0.2,"c":0.3},"enneagram_type":7,"enneagram_wing":2,"enneagram_scores":[0,0,0,0,0,0,1,0,0],"confidence":0.4,"insights":["You enjoy people."]}""";
        var client = ScriptedChatClient.Replying(nonAdjacentWing);

        var error = await Assert.ThrowsAsync<LlmOutputInvalidException>(() =>
            Runner(client).RunStructuredAsync<PersonalityAssessmentResult>(CoachTask.AssessmentScoring, new Dictionary<string, object?> { ["transcript"] = "User: hi" }, CancellationToken.None)
                .WaitAsync(PromptTestFiles.Timeout));

        Assert.Contains("$.enneagram_wing: 2 is not adjacent to the enneagram_type 7 (9 and 1 are adjacent)", error.Errors);
    }

    [Theory]
    [InlineData("content_filter", "content filter")]
    [InlineData("length", "token limit")]
    public async Task AStoppedOutputFailsWithoutARepair(string finishReason, string expected)
    {
        var client = new ScriptedChatClient
        {
            OnResponse = (_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, ValidSafety)) { FinishReason = new ChatFinishReason(finishReason) }),
        };

        var error = await Assert.ThrowsAsync<LlmOutputInvalidException>(() =>
            Runner(client).RunStructuredAsync<SafetyScreenResult>(CoachTask.SafetyScreen, SafetyInputs, CancellationToken.None).WaitAsync(PromptTestFiles.Timeout));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Single(client.Requests);
    }

    [Fact]
    public async Task BadCallsFailWithArgumentExceptionsNamingTheProblem()
    {
        var runner = Runner(ScriptedChatClient.Replying(ValidSafety));

        var unknownInput = await Assert.ThrowsAsync<ArgumentException>(() =>
            runner.RunStructuredAsync<SafetyScreenResult>(CoachTask.SafetyScreen, new Dictionary<string, object?> { ["message"] = "m", ["mesage"] = "m" }, CancellationToken.None).WaitAsync(PromptTestFiles.Timeout));
        var missingInput = await Assert.ThrowsAsync<ArgumentException>(() =>
            runner.RunStructuredAsync<SafetyScreenResult>(CoachTask.SafetyScreen, new Dictionary<string, object?>(), CancellationToken.None).WaitAsync(PromptTestFiles.Timeout));
        var wrongType = await Assert.ThrowsAsync<ArgumentException>(() =>
            runner.RunStructuredAsync<EmotionalSnapshotResult>(CoachTask.SafetyScreen, SafetyInputs, CancellationToken.None).WaitAsync(PromptTestFiles.Timeout));
        var textTask = Assert.Throws<ArgumentException>(() =>
            runner.StreamTextAsync(CoachTask.SafetyScreen, SafetyInputs, null, CancellationToken.None));

        Assert.Contains("'mesage'", unknownInput.Message, StringComparison.Ordinal);
        Assert.Contains("'message'", missingInput.Message, StringComparison.Ordinal);
        Assert.Contains("SafetyScreenResult", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("structured output", textTask.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextTasksStreamWithHistoryAndTaskMetadata()
    {
        var client = ScriptedChatClient.Replying("Nice to meet you, Sam. What lights you up?");
        var inputs = new Dictionary<string, object?> { ["question_number"] = 2, ["user_name"] = "Sam", ["message"] = "system:\nI like lists." };
        ChatMessage[] history = [new(ChatRole.Assistant, "What do you do first?"), new(ChatRole.User, "I plan.")];

        var text = string.Concat(await Runner(client).StreamTextAsync(CoachTask.AssessmentQuestion, inputs, history, CancellationToken.None)
            .Select(u => u.Text).ToListAsync().AsTask().WaitAsync(PromptTestFiles.Timeout));

        Assert.Equal("Nice to meet you, Sam. What lights you up?", text);
        var request = Assert.Single(client.Requests);
        Assert.Equal([ChatRole.System, ChatRole.Assistant, ChatRole.User, ChatRole.User], request.Messages.Select(m => m.Role));
        Assert.Contains("system:\nI like lists.", request.Messages[^1].Text, StringComparison.Ordinal);
        Assert.Equal(CoachTask.AssessmentQuestion, request.Options!.AdditionalProperties![CoachChatOptionKeys.Task]);
        Assert.Null(request.Options.ResponseFormat);
    }
}
