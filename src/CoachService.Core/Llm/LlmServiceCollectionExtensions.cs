using CoachService.Llm.Logging;
using CoachService.Llm.Offline;
using CoachService.Llm.OpenAi;
using CoachService.Llm.Resilience;
using CoachService.Llm.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace CoachService.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="LlmOptions"/> (section "Llm") and registers the singleton
    /// <see cref="IChatClient"/> pipeline, the <see cref="LlmUsageLedger"/> and a start-up log line.
    /// </summary>
    public static IServiceCollection AddCoachLlm(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LlmOptions>(configuration, LlmOptions.SectionName);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LlmUsageLedger>();
        services.AddMetrics();
        services.AddHostedService<LlmStartupLog>();

        // Outermost first: logging sees one logical call (total duration, final outcome);
        // usage accounting counts the tokens of the response the caller got, once;
        // resilience retries only the provider, so neither of the above sees failed attempts twice.
        services.TryAddSingleton<IChatClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LlmOptions>>().Value;
            var timeProvider = sp.GetRequiredService<TimeProvider>();
            var loggerFactory = sp.GetRequiredService<ILoggerFactory>();

            IChatClient client = CreateProvider(options, timeProvider);
            client = new ResilientChatClient(client, options.Resilience, timeProvider, loggerFactory.CreateLogger<ResilientChatClient>());
            client = new UsageAccountingChatClient(client, sp.GetRequiredService<LlmUsageLedger>(), sp.GetService<IMeterFactory>());
            return new Logging.LoggingChatClient(client, loggerFactory.CreateLogger<Logging.LoggingChatClient>(), timeProvider);
        });
        return services;
    }

    private static IChatClient CreateProvider(LlmOptions options, TimeProvider timeProvider) =>
        options.IsOpenAi
            ? new OpenAiChatClient(
                options.Model!,
                string.IsNullOrWhiteSpace(options.Endpoint) ? null : new Uri(options.Endpoint),
                options.ApiKey,
                timeProvider)
            : new OfflineChatClient(options.Offline, timeProvider);
}

/// <summary>Says once at start-up which engine answers, so nobody mistakes the offline rules for a model.</summary>
internal sealed class LlmStartupLog(IOptions<LlmOptions> options, ILogger<LlmStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var llm = options.Value;
        if (llm.IsOpenAi)
        {
            // The endpoint and model only: never the key.
            LlmLog.OpenAiProviderSelected(logger, string.IsNullOrWhiteSpace(llm.Endpoint) ? "https://api.openai.com/v1" : llm.Endpoint, llm.Model!);
        }
        else
        {
            LlmLog.OfflineProviderSelected(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
