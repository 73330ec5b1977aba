using System.Text.Json;
using CoachService.Llm;
using CoachService.Llm.Tasks;
using CoachService.Llm.Usage;
using CoachService.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Llm;

/// <summary>The whole registered pipeline (AddCoachLlm, provider "openai") against the fake server.</summary>
public sealed class OpenAiProviderTests : IAsyncLifetime
{
    private FakeLlmServer _server = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeLlmServer.StartAsync().WithTimeout();
        _services = LlmTestKit.Services(new()
        {
            ["Llm:Provider"] = "openai",
            ["Llm:Endpoint"] = _server.BaseUrl.ToString(),
            ["Llm:Model"] = "coach-model",
        });
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    private IChatClient Client => _services.GetRequiredService<IChatClient>();

    private LlmUsageLedger Ledger => _services.GetRequiredService<LlmUsageLedger>();

    [Fact]
    public async Task Streamed_reply_arrives_in_order_and_its_usage_reaches_the_ledger()
    {
        _server.Enqueue(new FakeResponse { Text = "Breathe in. You have handled hard days before.", PromptTokens = 42, CompletionTokens = 9 });

        var updates = await Client.GetStreamingResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.CoachReply)).CollectAsync();

        var textUpdates = updates.Where(u => u.Text.Length > 0).Select(u => u.Text).ToList();
        Assert.Equal(["Breathe", " in.", " You", " have", " handled", " hard", " days", " before."], textUpdates);
        Assert.Equal(ChatFinishReason.Stop, updates.Last(u => u.FinishReason is not null).FinishReason);
        Assert.All(updates, u => Assert.Equal("coach-model", u.ModelId));
        Assert.StartsWith("chatcmpl-fake", updates[0].ResponseId);

        var usage = Ledger.Total(CoachTask.CoachReply, "coach-model");
        Assert.Equal((1, 42, 9), (usage.Calls, usage.InputTokens, usage.OutputTokens));

        var request = Assert.Single(_server.Requests);
        Assert.True(request.IsStreaming);
        Assert.True(request.IncludeUsage, "the adapter must ask for the final usage chunk");
        Assert.Equal("coach-model", request.Model);
        Assert.Equal([("system", "You are a kind coach."), ("user", "I feel stuck at work.")], request.Messages);
        Assert.Equal($"Bearer {CoachService.Llm.OpenAi.ProviderChatClients.PlaceholderApiKey}", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Azure_style_first_chunk_with_no_choices_is_skipped()
    {
        _server.Enqueue(new FakeResponse { Text = "Still here for you.", AzureFilterChunk = true });

        var updates = await Client.GetStreamingResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.CoachReply)).CollectAsync();

        Assert.Equal("Still here for you.", LlmTestKit.TextOf(updates));
        Assert.DoesNotContain(updates, u => u.Contents.Count == 0 && u.FinishReason is null);
        Assert.All(updates, u => Assert.Equal("coach-model", u.ModelId)); // not the empty model of Azure's first chunk
    }

    [Fact]
    public async Task Json_task_sends_a_strict_json_schema_and_reads_the_structured_reply()
    {
        var expected = new SafetyScreenResult("none", false, [], "An ordinary work worry.");
        _server.Enqueue(FakeResponse.Json(expected) with { PromptTokens = 80, CompletionTokens = 20 });
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"risk_level":{"type":"string"}},"required":["risk_level"],"additionalProperties":false}""");
        var format = new ChatResponseFormatJson(schema.RootElement.Clone(), CoachTask.SafetyScreen, "Crisis screen");

        var response = await Client.GetResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.SafetyScreen, format)).WithTimeout();

        var result = JsonSerializer.Deserialize<SafetyScreenResult>(response.Text);
        Assert.NotNull(result);
        Assert.Equal((expected.RiskLevel, expected.IsCrisis, expected.Rationale), (result.RiskLevel, result.IsCrisis, result.Rationale));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var sent = Assert.Single(_server.Requests).Body.GetProperty("response_format");
        Assert.Equal("json_schema", sent.GetProperty("type").GetString());
        Assert.Equal(CoachTask.SafetyScreen, sent.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.True(sent.GetProperty("json_schema").GetProperty("strict").GetBoolean());
        Assert.Equal("object", sent.GetProperty("json_schema").GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal((80, 20), (Ledger.Total(CoachTask.SafetyScreen).InputTokens, Ledger.Total(CoachTask.SafetyScreen).OutputTokens));
    }

    [Fact]
    public async Task Json_without_schema_asks_for_a_json_object()
    {
        _server.Enqueue(FakeResponse.Json(new { ok = true }));

        var response = await Client.GetResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.GoalSuggestions, ChatResponseFormat.Json)).WithTimeout();

        Assert.Equal("""{"ok":true}""", response.Text);
        Assert.Equal("json_object", _server.Requests[0].Body.GetProperty("response_format").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("length")]
    [InlineData("content_filter")]
    public async Task Length_and_content_filter_finish_reasons_are_reported_as_such(string finishReason)
    {
        var expected = finishReason == "length" ? ChatFinishReason.Length : ChatFinishReason.ContentFilter;
        _server.Enqueue(new FakeResponse { Text = "Cut short", FinishReason = finishReason }, new FakeResponse { Text = "Cut short", FinishReason = finishReason });

        var updates = await Client.GetStreamingResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.CoachReply)).CollectAsync();
        var response = await Client.GetResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.CoachReply)).WithTimeout();

        Assert.Equal(expected, updates.Last(u => u.FinishReason is not null).FinishReason);
        Assert.Equal(expected, response.FinishReason);
    }

    [Fact]
    public async Task Request_settings_reach_the_wire()
    {
        var options = LlmTestKit.ForTask(CoachTask.CoachReply);
        options.Temperature = 0.25f;
        options.TopP = 0.5f;
        options.MaxOutputTokens = 123;
        options.StopSequences = ["END"];
        options.ModelId = "other-model";

        await Client.GetResponseAsync(LlmTestKit.Conversation(), options).WithTimeout();

        var body = _server.Requests[0].Body;
        Assert.Equal("other-model", body.GetProperty("model").GetString());
        Assert.Equal(0.25, body.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.5, body.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal("END", body.GetProperty("stop")[0].GetString());
        var maxTokens = body.TryGetProperty("max_completion_tokens", out var m) ? m : body.GetProperty("max_tokens");
        Assert.Equal(123, maxTokens.GetInt32());
    }

    [Fact]
    public async Task Azure_v1_endpoint_and_key_work()
    {
        await using var azure = await FakeLlmServer.StartAsync(new FakeLlmServerOptions { Dialect = FakeLlmDialect.Azure }).WithTimeout();
        await using var services = LlmTestKit.Services(new()
        {
            ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = azure.AzureV1Url.ToString(), ["Llm:Model"] = "my-deployment", ["Llm:ApiKey"] = "azure-key",
        });

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync(LlmTestKit.Conversation()).WithTimeout();

        Assert.Equal("This is the fake model speaking.", response.Text);
        Assert.Equal("/openai/v1/chat/completions", azure.Requests[0].Path);
        Assert.Equal("azure-key", azure.Requests[0].Headers["api-key"]); // Azure's header, not a bearer token
        Assert.False(azure.Requests[0].Headers.ContainsKey("Authorization"));
        Assert.Equal("my-deployment", azure.Requests[0].Model);
    }

    [Fact]
    public async Task Streamed_tool_calls_arrive_as_one_function_call_with_its_arguments()
    {
        _server.Enqueue(FakeResponse.CallTools(new FakeToolCall("call_7", "goals_record_goal_progress", """{"goal_id":"g-1","progress":50}""")));

        var updates = await Client.GetStreamingResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.CoachReply)).CollectAsync();

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_7", "goals_record_goal_progress"), (call.CallId, call.Name));
        Assert.Equal("g-1", call.Arguments!["goal_id"]?.ToString());
        Assert.Equal("50", call.Arguments["progress"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates.Last(u => u.FinishReason is not null).FinishReason);
    }

    [Fact]
    public async Task Answered_tool_calls_arrive_as_a_function_call()
    {
        _server.Enqueue(FakeResponse.CallTools(new FakeToolCall("call_8", "goals_list", "{}")));

        var response = await Client.GetResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.CoachReply)).WithTimeout();

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_8", "goals_list"), (call.CallId, call.Name));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task Seed_reaches_the_request_body()
    {
        var options = LlmTestKit.ForTask(CoachTask.CoachReply);
        options.Seed = 4242;

        await Client.GetResponseAsync(LlmTestKit.Conversation(), options).WithTimeout();

        Assert.Equal(4242, _server.Requests[0].Body.GetProperty("seed").GetInt64());
    }
}
