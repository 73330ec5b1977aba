using Azure.Core;
using CoachService.Llm.Tasks;
using CoachService.Testing;
using CoachService.Tests.Conversations;
using CoachService.Tests.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Llm;

/// <summary>
/// Each provider kind on the real host (hub, turn orchestration, prompts, database) against the
/// WireMock.Net fake speaking that provider's dialect: one text turn, and what reached the wire.
/// </summary>
public sealed class ProviderHostTests
{
    private const string Reply = "That sounds like a full week. What would help most right now?";

    /// <summary>Starts a session, sends one turn, and returns the coach reply's request.</summary>
    private static async Task<FakeRequest> TalkOnceAsync(ConversationHarness harness, string email)
    {
        harness.CoachReply = _ => FakeResponse.Reply(Reply);
        await using var user = await harness.ConnectAsync(email);
        var session = await user.StartSessionAsync();

        var completed = await user.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");

        Assert.Equal(Reply, completed.Content);
        Assert.Contains(harness.RequestsFor(CoachTask.SafetyScreen), r => r.Messages.Any(m => m.Content.Contains("Work has been a lot")));
        return Assert.Single(harness.TextRequests);
    }

    [Fact]
    public async Task OpenAi_format_with_a_key_sends_a_bearer_token_to_the_base_url()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Llm:ApiKey"] = "sk-test-key" });

        var request = await TalkOnceAsync(harness, "openai@example.com");

        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-test-key", request.Headers["Authorization"]);
        Assert.Equal("fake-model", request.Model);
        Assert.True(request.IsStreaming);
        Assert.True(request.IncludeUsage);
    }

    [Fact]
    public async Task Azure_classic_deployment_sends_the_api_key_header_and_the_configured_api_version()
    {
        await using var harness = await ConversationHarness.StartAsync(
            llmOptions: new FakeLlmServerOptions { Dialect = FakeLlmDialect.Azure },
            llmSettings: llm => new Dictionary<string, string?>
            {
                ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = llm.RootUrl.ToString(), ["Llm:Model"] = "coach-gpt4o",
                ["Llm:ApiKey"] = "azure-resource-key", ["Llm:ApiVersion"] = "2024-10-21",
            });

        var request = await TalkOnceAsync(harness, "azure-classic@example.com");

        Assert.Equal("/openai/deployments/coach-gpt4o/chat/completions", request.Path);
        Assert.Equal("coach-gpt4o", request.Deployment);
        Assert.Equal("2024-10-21", request.Query["api-version"]);
        Assert.Equal("azure-resource-key", request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.All(harness.Llm.Requests, r => Assert.Equal("2024-10-21", r.Query["api-version"]));
    }

    [Fact]
    public async Task Azure_classic_deployment_without_an_api_version_setting_sends_the_library_default()
    {
        await using var harness = await ConversationHarness.StartAsync(
            llmOptions: new FakeLlmServerOptions { Dialect = FakeLlmDialect.Azure },
            llmSettings: llm => new Dictionary<string, string?>
            {
                ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = llm.RootUrl.ToString(), ["Llm:Model"] = "coach-gpt4o", ["Llm:ApiKey"] = "k",
            });

        var request = await TalkOnceAsync(harness, "azure-default@example.com");

        Assert.Equal("2025-04-01-preview", request.Query["api-version"]);
    }

    [Fact]
    public async Task Azure_v1_endpoint_sends_the_api_key_header_and_no_api_version()
    {
        await using var harness = await ConversationHarness.StartAsync(
            llmOptions: new FakeLlmServerOptions { Dialect = FakeLlmDialect.Azure },
            llmSettings: llm => new Dictionary<string, string?>
            {
                ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = llm.AzureV1Url.ToString(), ["Llm:Model"] = "coach-gpt4o", ["Llm:ApiKey"] = "azure-resource-key",
            });

        var request = await TalkOnceAsync(harness, "azure-v1@example.com");

        Assert.Equal("/openai/v1/chat/completions", request.Path);
        Assert.Equal("coach-gpt4o", request.Model);
        Assert.Equal("azure-resource-key", request.Headers["api-key"]);
        Assert.False(request.Query.ContainsKey("api-version"));
    }

    [Fact]
    public async Task Ollama_format_works_without_a_key()
    {
        await using var harness = await ConversationHarness.StartAsync(
            new Dictionary<string, string?> { ["Llm:Model"] = "llama3.2" },
            llmOptions: new FakeLlmServerOptions { Dialect = FakeLlmDialect.Ollama });

        var request = await TalkOnceAsync(harness, "ollama@example.com");

        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("llama3.2", request.Model);
        Assert.Equal($"Bearer {CoachService.Llm.OpenAi.ProviderChatClients.PlaceholderApiKey}", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Seed_from_a_prompt_file_reaches_the_request_body()
    {
        var prompts = PromptTestFiles.CopyToTemporaryFolder();
        var coachReply = Path.Combine(prompts, "coach_reply.prompty");
        var text = await File.ReadAllTextAsync(coachReply);
        await File.WriteAllTextAsync(coachReply, text.Replace("    temperature: 0.7\n", "    temperature: 0.7\n    seed: 20260101\n", StringComparison.Ordinal));
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?> { ["Prompts:Path"] = prompts });

        var request = await TalkOnceAsync(harness, "seed@example.com");

        Assert.Equal(20260101, request.Body.GetProperty("seed").GetInt64());
        Assert.False(harness.RequestsFor(CoachTask.SafetyScreen)[0].Body.TryGetProperty("seed", out _)); // only where the prompt sets one
    }

    [Fact]
    public async Task Azure_classic_without_a_key_signs_in_with_microsoft_entra_id()
    {
        await using var llm = await FakeLlmServer.StartAsync(new FakeLlmServerOptions { Dialect = FakeLlmDialect.Azure });
        var credential = new FixedTokenCredential("entra-access-token");
        await using var services = LlmTestKit.Services(
            new() { ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = llm.RootUrl.ToString(), ["Llm:Model"] = "coach-gpt4o" },
            s => s.AddSingleton<TokenCredential>(credential));

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync(LlmTestKit.Conversation()).WithTimeout();

        Assert.Equal("This is the fake model speaking.", response.Text);
        var request = Assert.Single(llm.Requests);
        Assert.Equal("Bearer entra-access-token", request.Headers["Authorization"]);
        Assert.False(request.Headers.ContainsKey("api-key"));
        Assert.Equal(["https://cognitiveservices.azure.com/.default"], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Azure_v1_without_a_key_asks_microsoft_entra_id_for_a_cognitive_services_token()
    {
        // Bearer tokens go over https only, and the fake server is http: nothing listens on port 1
        // of the loopback, so the call fails after the token was asked for, without leaving the machine.
        var credential = new FixedTokenCredential("entra-access-token");
        await using var services = LlmTestKit.Services(
            new()
            {
                ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = "https://127.0.0.1:1/openai/v1/", ["Llm:Model"] = "coach-gpt4o",
                ["Llm:Resilience:MaxRetryAttempts"] = "0",
            },
            s => s.AddSingleton<TokenCredential>(credential));

        var error = await Assert.ThrowsAsync<CoachService.Llm.LlmProviderException>(
            () => services.GetRequiredService<IChatClient>().GetResponseAsync(LlmTestKit.Conversation())).WithTimeout();

        Assert.Null(error.StatusCode);
        Assert.Equal(["https://cognitiveservices.azure.com/.default"], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Azure_has_one_retry_layer_ours()
    {
        await using var llm = await FakeLlmServer.StartAsync(new FakeLlmServerOptions { Dialect = FakeLlmDialect.Azure });
        llm.Handler = _ => FakeResponse.Error(503);
        await using var services = LlmTestKit.Services(new()
        {
            ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = llm.RootUrl.ToString(), ["Llm:Model"] = "coach-gpt4o", ["Llm:ApiKey"] = "k",
            ["Llm:Resilience:MaxRetryAttempts"] = "0",
        });

        var error = await Assert.ThrowsAsync<CoachService.Llm.LlmProviderException>(
            () => services.GetRequiredService<IChatClient>().GetResponseAsync(LlmTestKit.Conversation())).WithTimeout();

        Assert.Equal(503, error.StatusCode);
        Assert.Single(llm.Requests); // Azure.AI.OpenAI's own retries are off
    }

    /// <summary>Stands in for Microsoft Entra ID: tests never sign in anywhere.</summary>
    private sealed class FixedTokenCredential(string token) : TokenCredential
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _scopes = new();

        public IEnumerable<string> Scopes => _scopes;

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes)
            {
                _scopes.Enqueue(scope);
            }

            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
