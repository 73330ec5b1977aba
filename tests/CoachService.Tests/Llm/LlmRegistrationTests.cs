using CoachService.Llm;
using CoachService.Llm.Offline;
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

    private static string ValidationError(Dictionary<string, string?> settings)
    {
        using var services = Build(settings);
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LlmOptions>>().Value).Message;
    }

    [Fact]
    public async Task Offline_is_the_default_and_start_up_says_it_is_not_a_language_model()
    {
        var logs = new FakeLogCollector();
        await using var services = Build([], logs, LogLevel.Information);

        var client = services.GetRequiredService<IChatClient>();
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None).WithTimeout();
        }

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

        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None).WithTimeout();
        }

        Assert.Contains(logs.GetSnapshot(), e => e.Message.Contains("http://localhost:11434/v1") && e.Message.Contains("llama3.2"));
        Assert.DoesNotContain(logs.GetSnapshot(), e => e.Message.Contains("sk-very-secret"));
    }

    [Fact]
    public void OpenAi_without_a_model_fails_naming_the_setting() =>
        Assert.Contains("Llm:Model is required when Llm:Provider is 'openai'", ValidationError(new() { ["Llm:Provider"] = "openai", ["Llm:Endpoint"] = "http://localhost:11434/v1" }));

    [Fact]
    public void Unknown_provider_fails_naming_the_allowed_values() =>
        Assert.Contains("allowed values: 'offline', 'openai'", ValidationError(new() { ["Llm:Provider"] = "gemini" }));

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
