using CoachService.Testing;
using CoachService.Llm;
using CoachService.Llm.Recording;
using CoachService.Llm.Tasks;
using Microsoft.Extensions.AI;

namespace CoachService.Tests.Llm;

public sealed class RecordingTests
{
    private static ChatOptions Options(string promptVersion = "v1", object? inputs = null) => new()
    {
        Temperature = 0.7f,
        AdditionalProperties = new AdditionalPropertiesDictionary
        {
            [CoachChatOptionKeys.Task] = CoachTask.CoachReply,
            [CoachChatOptionKeys.PromptVersion] = promptVersion,
            [CoachChatOptionKeys.Inputs] = inputs ?? new Dictionary<string, object?> { ["name"] = "Sam" },
        },
    };

    [Fact]
    public async Task Record_then_replay_gives_the_same_output_without_calling_the_model()
    {
        var store = new InMemoryChatRecordingStore();
        var model = Scripted.Model();
        using var recorder = new RecordingChatClient(model, store, ChatRecordingMode.Record);
        var recorded = await recorder.GetResponseAsync(LlmTestKit.Conversation(), Options()).WithTimeout();
        var recordedStream = await recorder.GetStreamingResponseAsync(LlmTestKit.Conversation("Another worry."), Options()).CollectAsync();

        var offline = new ScriptedChatClient { OnResponse = (_, _) => throw new InvalidOperationException("replay must not call the model") };
        using var replayer = new RecordingChatClient(offline, store, ChatRecordingMode.Replay);
        var replayed = await replayer.GetResponseAsync(LlmTestKit.Conversation(), Options()).WithTimeout();
        var replayedStream = await replayer.GetStreamingResponseAsync(LlmTestKit.Conversation("Another worry."), Options()).CollectAsync();

        Assert.Equal(2, model.Requests.Count);
        Assert.Empty(offline.Requests);
        Assert.Equal(recorded.Text, replayed.Text);
        Assert.Equal((recorded.ModelId, recorded.FinishReason), (replayed.ModelId, replayed.FinishReason));
        Assert.Equal((30L, 6L), (replayed.Usage!.InputTokenCount!.Value, replayed.Usage.OutputTokenCount!.Value));
        Assert.Equal(LlmTestKit.TextOf(recordedStream), LlmTestKit.TextOf(replayedStream));
        Assert.True(replayedStream.Count(u => u.Text.Length > 0) >= 5, "replay streams word-sized updates");
        Assert.Contains(replayedStream.SelectMany(u => u.Contents), c => c is UsageContent);
        Assert.Equal(ChatFinishReason.Stop, replayedStream.Last().FinishReason);
    }

    [Fact]
    public async Task Replay_of_an_unrecorded_request_is_a_clear_error()
    {
        var model = Scripted.Model();
        using var replayer = new RecordingChatClient(model, new InMemoryChatRecordingStore(), ChatRecordingMode.Replay);

        var error = await Assert.ThrowsAsync<LlmRecordingNotFoundException>(
            () => replayer.GetStreamingResponseAsync(LlmTestKit.Conversation(), Options()).CollectAsync()).WithTimeout();

        Assert.Contains("coach_reply", error.Message);
        Assert.Contains("replay mode", error.Message);
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task Cache_first_calls_the_model_once_per_distinct_request()
    {
        var model = Scripted.Model();
        using var cache = new RecordingChatClient(model, new InMemoryChatRecordingStore(), ChatRecordingMode.CacheFirst);

        await cache.GetResponseAsync(LlmTestKit.Conversation(), Options()).WithTimeout();
        await cache.GetResponseAsync(LlmTestKit.Conversation(), Options()).WithTimeout();
        await cache.GetResponseAsync(LlmTestKit.Conversation(), Options(promptVersion: "v2")).WithTimeout();

        Assert.Equal(2, model.Requests.Count);
    }

    [Fact]
    public void Key_depends_on_what_decides_the_answer_not_on_the_inputs_object()
    {
        var key = RecordingChatClient.ComputeKey(LlmTestKit.Conversation(), Options());

        Assert.Matches("^[0-9a-f]{64}$", key);
        Assert.Equal(key, RecordingChatClient.ComputeKey(LlmTestKit.Conversation(), Options(inputs: new object())));
        Assert.NotEqual(key, RecordingChatClient.ComputeKey(LlmTestKit.Conversation("Something else."), Options()));
        Assert.NotEqual(key, RecordingChatClient.ComputeKey(LlmTestKit.Conversation(), Options(promptVersion: "v2")));
        var json = Options();
        json.ResponseFormat = ChatResponseFormat.Json;
        Assert.NotEqual(key, RecordingChatClient.ComputeKey(LlmTestKit.Conversation(), json));
    }

    [Fact]
    public async Task A_tool_round_trip_is_recorded_and_replayed_with_its_calls()
    {
        var store = new InMemoryChatRecordingStore();
        var model = new ScriptedChatClient
        {
            OnResponse = (request, _) => Task.FromResult(request.Messages.Any(m => m.Role == ChatRole.Tool)
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "Done: 40 percent."))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "goals_record_goal_progress", new Dictionary<string, object?> { ["progressPercentage"] = 40 })]))
                {
                    FinishReason = ChatFinishReason.ToolCalls,
                }),
        };
        var offered = Options();
        offered.Tools = [AIFunctionFactory.Create((int progressPercentage) => progressPercentage, "goals_record_goal_progress")];
        var conversation = LlmTestKit.Conversation().ToList();
        var afterCall = conversation.Concat([
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "goals_record_goal_progress", new Dictionary<string, object?> { ["progressPercentage"] = 40 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", "{\"ok\":true}")]),
        ]).ToList();

        using (var recorder = new RecordingChatClient(model, store, ChatRecordingMode.Record))
        {
            await recorder.GetStreamingResponseAsync(conversation, offered).CollectAsync();
            await recorder.GetResponseAsync(afterCall, offered).WithTimeout();
        }

        var offline = new ScriptedChatClient { OnResponse = (_, _) => throw new InvalidOperationException("replay must not call the model") };
        using var replayer = new RecordingChatClient(offline, store, ChatRecordingMode.Replay);
        var call = (await replayer.GetStreamingResponseAsync(conversation, offered).CollectAsync())
            .SelectMany(u => u.Contents).OfType<FunctionCallContent>().Single();
        var confirmation = await replayer.GetResponseAsync(afterCall, offered).WithTimeout();

        Assert.Equal(2, store.Count); // the tool result makes the second request a different key
        Assert.Equal(("call-1", "goals_record_goal_progress", "40"), (call.CallId, call.Name, call.Arguments!["progressPercentage"]!.ToString()));
        Assert.Equal("Done: 40 percent.", confirmation.Text);
        Assert.Empty(offline.Requests);
        Assert.NotEqual(RecordingChatClient.ComputeKey(conversation, offered), RecordingChatClient.ComputeKey(conversation, Options()));
    }

    [Fact]
    public async Task File_store_keeps_recordings_across_instances()
    {
        var folder = Path.Combine(Path.GetTempPath(), "coach-recordings-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var recorder = new RecordingChatClient(Scripted.Model(), new FileChatRecordingStore(folder), ChatRecordingMode.Record))
            {
                await recorder.GetResponseAsync(LlmTestKit.Conversation(), Options()).WithTimeout();
            }

            Assert.Single(Directory.GetFiles(folder, "*.json"));
            var offline = Scripted.Model();
            using var replayer = new RecordingChatClient(offline, new FileChatRecordingStore(folder), ChatRecordingMode.Replay);
            var replayed = await replayer.GetResponseAsync(LlmTestKit.Conversation(), Options()).WithTimeout();

            Assert.Equal("Take one small step today.", replayed.Text);
            Assert.Empty(offline.Requests);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
