using CoachService.Llm;
using CoachService.Llm.Offline;
using CoachService.Llm.Recording;
using CoachService.Llm.Usage;
using CoachService.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace CoachService.Tests.Llm;

public sealed class LlmRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, FakeLogCollector? logs = null, LogLevel level = LogLevel.Information)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging(b =>
        {
            if (logs is not null)
            {
                b.SetMinimumLevel(level).AddProvider(new FakeLoggerProvider(logs));
            }
        });
        return services.AddCoachLlm(configuration).BuildServiceProvider();
    }

    private static async Task StartHostedServicesAsync(IServiceProvider services)
    {
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None).WithTimeout();
        }
    }

    private static string ValidationError(Dictionary<string, string?> settings)
    {
        using var services = Build(settings);
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LlmOptions>>().Value).Message;
    }

    [Theory]
    [InlineData("sometimes", null, "Llm:Recording:Mode 'sometimes' is not known; allowed values: 'off', 'record', 'replay', 'cache'.")]
    [InlineData("replay", null, "Llm:Recording:Path is required when Llm:Recording:Mode is 'replay'")]
    [InlineData("cache", " ", "Llm:Recording:Path is required when Llm:Recording:Mode is 'cache'")]
    public void A_bad_recording_setting_names_itself(string mode, string? path, string expected)
    {
        Assert.Contains(expected, ValidationError(new() { ["Llm:Recording:Mode"] = mode, ["Llm:Recording:Path"] = path }));
    }

    [Fact]
    public async Task Recording_is_off_by_default_and_in_the_pipeline_when_switched_on()
    {
        using var folder = new TemporaryFolder();
        await using (var off = Build([]))
        {
            Assert.Null(off.GetRequiredService<IChatClient>().GetService<RecordingChatClient>());
        }

        var logs = new FakeLogCollector();
        await using var on = Build(new() { ["Llm:Recording:Mode"] = "Cache", ["Llm:Recording:Path"] = folder.Path }, logs);
        var recorder = on.GetRequiredService<IChatClient>().GetService<RecordingChatClient>();
        await StartHostedServicesAsync(on);

        Assert.Equal(ChatRecordingMode.CacheFirst, recorder!.Mode);
        Assert.Contains(logs.GetSnapshot(), e => e.Message.Contains("LLM recording is on: mode cache", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Offline_is_the_default_and_start_up_says_it_is_not_a_language_model()
    {
        var logs = new FakeLogCollector();
        await using var services = Build([], logs, LogLevel.Information);

        var client = services.GetRequiredService<IChatClient>();
        await StartHostedServicesAsync(services);

        Assert.NotNull(client.GetService<OfflineChatClient>());
        Assert.NotNull(services.GetService<LlmUsageLedger>());
        Assert.Contains(logs.GetSnapshot(), e => e.Message.Contains("offline heuristic engine") && e.Message.Contains("not a language model"));
    }

    [Fact]
    public async Task OpenAi_start_up_line_names_endpoint_and_model_but_never_the_key()
    {
        var logs = new FakeLogCollector();
        await using var services = Build(new()
        {
            ["Llm:Provider"] = "openai", ["Llm:Endpoint"] = "http://localhost:11434/v1", ["Llm:Model"] = "llama3.2", ["Llm:ApiKey"] = "sk-very-secret",
        }, logs, LogLevel.Trace);

        await StartHostedServicesAsync(services);

        Assert.Contains(logs.GetSnapshot(), e => e.Message.Contains("http://localhost:11434/v1") && e.Message.Contains("llama3.2"));
        Assert.DoesNotContain(logs.GetSnapshot(), e => e.Message.Contains("sk-very-secret"));
    }

    [Fact]
    public async Task Azure_start_up_line_names_the_kind_endpoint_model_and_entra_id_sign_in()
    {
        var logs = new FakeLogCollector();
        await using var services = Build(new()
        {
            ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = "https://coach.openai.azure.com/", ["Llm:Model"] = "coach-gpt4o", ["Llm:ApiVersion"] = "2024-10-21",
        }, logs, LogLevel.Information);

        await StartHostedServicesAsync(services);

        var line = Assert.Single(logs.GetSnapshot(), e => e.Id.Id == 1000).Message;
        Assert.Equal(
            "LLM provider: azure (Azure OpenAI classic deployment, api-version 2024-10-21) at https://coach.openai.azure.com/, model coach-gpt4o, authentication Microsoft Entra ID (DefaultAzureCredential)",
            line);
    }

    [Theory]
    [InlineData(null, "Llm:Endpoint is required when Llm:Provider is 'azure'")]
    [InlineData("https://coach.openai.azure.com/openai/deployments/gpt/chat/completions", "not a deployment URL; put the deployment name in Llm:Model")]
    public void Azure_endpoint_mistakes_fail_naming_the_setting(string? endpoint, string expected) =>
        Assert.Contains(expected, ValidationError(new() { ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = endpoint, ["Llm:Model"] = "gpt" }));

    [Fact]
    public void Azure_v1_with_entra_id_over_http_fails() =>
        Assert.Contains("Llm:Endpoint must be https to sign in with Microsoft Entra ID at the v1 endpoint",
            ValidationError(new() { ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = "http://localhost:8080/openai/v1/", ["Llm:Model"] = "gpt" }));

    [Fact]
    public void Azure_without_a_deployment_fails() =>
        Assert.Contains("Llm:Model is required when Llm:Provider is 'azure' (the deployment name).",
            ValidationError(new() { ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = "https://coach.openai.azure.com/" }));

    [Fact]
    public void Unknown_api_version_fails_naming_the_ones_the_client_knows() =>
        Assert.Contains("Llm:ApiVersion '2023-01-01' is not one the Azure OpenAI client knows; allowed values: '2024-06-01', ",
            ValidationError(new() { ["Llm:Provider"] = "azure", ["Llm:Endpoint"] = "https://coach.openai.azure.com/", ["Llm:Model"] = "gpt", ["Llm:ApiVersion"] = "2023-01-01" }));

    [Theory]
    [InlineData("azure", "https://coach.openai.azure.com/openai/v1/", "does not apply to the v1 endpoint")]
    [InlineData("openai", "http://localhost:11434/v1", "Llm:ApiVersion applies only when Llm:Provider is 'azure'")]
    public void Api_version_where_it_does_not_apply_fails(string provider, string endpoint, string expected) =>
        Assert.Contains(expected, ValidationError(new() { ["Llm:Provider"] = provider, ["Llm:Endpoint"] = endpoint, ["Llm:Model"] = "m", ["Llm:ApiVersion"] = "2024-10-21" }));

    [Fact]
    public void OpenAi_without_a_model_fails_naming_the_setting() =>
        Assert.Contains("Llm:Model is required when Llm:Provider is 'openai'", ValidationError(new() { ["Llm:Provider"] = "openai", ["Llm:Endpoint"] = "http://localhost:11434/v1" }));

    [Fact]
    public void Unknown_provider_fails_naming_the_allowed_values() =>
        Assert.Contains("allowed values: 'offline', 'openai', 'azure'", ValidationError(new() { ["Llm:Provider"] = "gemini" }));

    [Fact]
    public void OpenAi_cloud_without_a_key_fails() =>
        Assert.Contains("Llm:ApiKey is required", ValidationError(new() { ["Llm:Provider"] = "openai", ["Llm:Model"] = "gpt-4o-mini" }));

    [Fact]
    public void Timeouts_must_be_positive_and_ordered()
    {
        Assert.Contains("Llm:Resilience:AttemptTimeout must be positive", ValidationError(new() { ["Llm:Resilience:AttemptTimeout"] = "00:00:00" }));
        Assert.Contains("FirstTokenTimeout (00:01:30) <= AttemptTimeout (00:01:00)", ValidationError(new() { ["Llm:Resilience:FirstTokenTimeout"] = "00:01:30" }));
    }
}
