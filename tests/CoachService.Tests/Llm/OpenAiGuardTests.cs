using System.Runtime.CompilerServices;
using CoachService.Llm;
using CoachService.Llm.OpenAi;
using CoachService.Llm.Resilience;
using CoachService.Llm.Tasks;
using CoachService.Testing;
using Microsoft.Extensions.AI;

namespace CoachService.Tests.Llm;

/// <summary>The three things the thin decorator adds to Microsoft.Extensions.AI.OpenAI, each on its own.</summary>
public sealed class OpenAiGuardTests : IAsyncLifetime
{
    private FakeLlmServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeLlmServer.StartAsync().WithTimeout();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("3", null, 3000)]
    [InlineData(null, "1500", 1500)]
    [InlineData("4", "250", 250)] // retry-after-ms is the more precise of the two
    public async Task Throttling_becomes_a_transient_provider_error_carrying_the_requested_delay(string? retryAfter, string? retryAfterMs, int expectedMs)
    {
        _server.Enqueue(FakeResponse.Error(429, retryAfter, retryAfterMs) with { ErrorMessage = "Rate limit reached." });
        using var client = LlmTestKit.OpenAiProvider(_server.BaseUrl, "coach-model");

        var error = await Assert.ThrowsAsync<LlmProviderException>(() => client.GetResponseAsync(LlmTestKit.Conversation())).WithTimeout();

        Assert.Equal(429, error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), error.RetryAfter);
        Assert.Contains("Rate limit reached.", error.Message);
        Assert.Single(_server.Requests); // the SDK's own retries are off
    }

    [Fact]
    public async Task A_stream_that_ends_without_a_finish_reason_is_an_error()
    {
        _server.Enqueue(new FakeResponse { Text = "Half a thought", OmitFinishReason = true });
        using var client = LlmTestKit.OpenAiProvider(_server.BaseUrl, "coach-model");
        var received = new List<ChatResponseUpdate>();

        var error = await Assert.ThrowsAsync<LlmProviderException>(
            () => client.GetStreamingResponseAsync(LlmTestKit.Conversation()).CollectAsync(received)).WithTimeout();

        Assert.Equal("Half a thought", LlmTestKit.TextOf(received));
        Assert.Contains("without a finish reason", error.Message);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Updates_that_carry_nothing_are_dropped()
    {
        var inner = new ScriptedChatClient { OnStreamingResponse = (_, ct) => Updates(ct, releaseText: Task.CompletedTask) };
        using var guard = new OpenAiGuardChatClient(inner, TimeProvider.System);

        var updates = await guard.GetStreamingResponseAsync(LlmTestKit.Conversation()).CollectAsync();

        Assert.Equal(["Hello", ""], updates.Select(u => u.Text));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Updates_are_passed_on_without_the_sdk_objects_and_keep_text_calls_and_usage()
    {
        _server.Enqueue(
            FakeResponse.CallTools(new FakeToolCall("call_1", "goals-list_goals", "{}")),
            FakeResponse.Reply("Two goals are open. Pick one."));
        using var client = LlmTestKit.OpenAiProvider(_server.BaseUrl, "coach-model");

        var calling = await client.GetStreamingResponseAsync(LlmTestKit.Conversation()).CollectAsync().WithTimeout();
        var replying = await client.GetStreamingResponseAsync(LlmTestKit.Conversation()).CollectAsync().WithTimeout();

        foreach (var update in calling.Concat(replying))
        {
            Assert.Null(update.RawRepresentation);
            Assert.All(update.Contents, content => Assert.Null(content.RawRepresentation));
        }

        var call = Assert.Single(calling.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_1", "goals-list_goals"), (call.CallId, call.Name));
        Assert.Equal(ChatFinishReason.ToolCalls, calling.Last(u => u.FinishReason is not null).FinishReason);
        Assert.Equal("Two goals are open. Pick one.", LlmTestKit.TextOf(replying));
        Assert.Equal("coach-model", replying[0].ModelId);
        Assert.Contains(replying.SelectMany(u => u.Contents), c => c is UsageContent { Details.OutputTokenCount: > 0 });
    }

    [Fact]
    public async Task Updates_that_carry_nothing_do_not_count_as_the_first_token()
    {
        var time = new DelayRecordingTimeProvider();
        var emptiesRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new ScriptedChatClient { OnStreamingResponse = (_, ct) => Updates(ct, releaseText: Task.Delay(Timeout.Infinite, ct), emptiesRead) };
        using var client = new ResilientChatClient(
            new OpenAiGuardChatClient(inner, time), new LlmResilienceOptions { MaxRetryAttempts = 0 }, time);

        var call = client.GetStreamingResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.CoachReply)).CollectAsync();
        await emptiesRead.Task.WithTimeout();
        time.Advance(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<LlmTimeoutException>(() => call).WithTimeout();
        Assert.Equal(LlmTimeoutKind.FirstToken, error.Kind);
    }

    /// <summary>
    /// What Microsoft.Extensions.AI.OpenAI yields for an Azure stream: an update for the prompt-filter
    /// chunk (no contents), one for the role-only chunk (an empty text), then the text and the finish.
    /// </summary>
    private static async IAsyncEnumerable<ChatResponseUpdate> Updates(
        [EnumeratorCancellation] CancellationToken cancellationToken, Task releaseText, TaskCompletionSource? emptiesRead = null)
    {
        yield return new ChatResponseUpdate { ResponseId = "", ModelId = "" };
        yield return new ChatResponseUpdate(ChatRole.Assistant, "") { ModelId = "" };
        emptiesRead?.TrySetResult();
        await releaseText.WaitAsync(cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, "Hello") { ModelId = "coach-model" };
        yield return new ChatResponseUpdate { Role = ChatRole.Assistant, FinishReason = ChatFinishReason.Stop, ModelId = "coach-model" };
    }
}
