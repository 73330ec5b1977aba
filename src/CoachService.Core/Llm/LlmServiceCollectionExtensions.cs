using Azure.Core;
using Azure.Identity;
using CoachService.Llm.Logging;
using CoachService.Llm.Offline;
using CoachService.Llm.OpenAi;
using CoachService.Llm.Recording;
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
    /// <summary>ActivitySource and Meter name of the OpenTelemetry GenAI spans and metrics of LLM calls.</summary>
    public const string TelemetrySourceName = "CoachService.Llm.GenAI";

    /// <summary>
    /// Binds and validates <see cref="LlmOptions"/> (section "Llm") and registers the singleton
    /// <see cref="IChatClient"/> pipeline, the <see cref="LlmUsageLedger"/> and a start-up log line.
    /// </summary>
    /// <remarks>
    /// Azure without a key signs in with the <see cref="TokenCredential"/> registered in the container,
    /// else with a <see cref="DefaultAzureCredential"/>.
    /// </remarks>
    public static IServiceCollection AddCoachLlm(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LlmOptions>(configuration, LlmOptions.SectionName);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LlmUsageLedger>();
        services.AddMetrics();
        services.AddHostedService<LlmStartupLog>();

        // Outermost first. The call summary, Microsoft.Extensions.AI's logging and the OpenTelemetry
        // span see one logical call (total duration, final outcome); usage accounting counts the
        // tokens of the response the caller got, once; resilience retries only what is below it, so
        // nothing above sees failed attempts. Recording (when switched on) sits right above the
        // provider, so a replayed answer is logged, counted and traced like a live one and never
        // reaches the network. The guard turns SDK failures into LlmExceptions first.
        services.AddChatClient(CreateProvider)
            .Use((inner, sp) => new CallSummaryChatClient(inner, sp.GetRequiredService<ILogger<CallSummaryChatClient>>(), sp.GetRequiredService<TimeProvider>()))
            .UseLogging()
            .UseOpenTelemetry(sourceName: TelemetrySourceName, configure: telemetry => telemetry.EnableSensitiveData = false)
            .Use((inner, sp) => new UsageAccountingChatClient(inner, sp.GetRequiredService<LlmUsageLedger>(), sp.GetService<IMeterFactory>()))
            .Use((inner, sp) => new ResilientChatClient(
                inner,
                sp.GetRequiredService<IOptions<LlmOptions>>().Value.Resilience,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ResilientChatClient>>()))
            .Use((inner, sp) => sp.GetRequiredService<IOptions<LlmOptions>>().Value.Recording is { RecordingMode: { } mode, Path: { } path }
                // A store in the container (the coach tool's counting cache) takes the place of the folder's files.
                ? new RecordingChatClient(inner, sp.GetService<IChatRecordingStore>() ?? new FileChatRecordingStore(Path.GetFullPath(path)), mode, sp.GetRequiredService<TimeProvider>())
                : inner)
            .Use((inner, sp) => sp.GetRequiredService<IOptions<LlmOptions>>().Value.UsesModel
                ? new OpenAiGuardChatClient(inner, sp.GetRequiredService<TimeProvider>())
                : inner);
        return services;
    }

    private static IChatClient CreateProvider(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<LlmOptions>>().Value;
        return options.UsesModel
            ? ProviderChatClients.Create(options, () => services.GetService<TokenCredential>() ?? new DefaultAzureCredential())
            : new OfflineChatClient(options.Offline, services.GetRequiredService<TimeProvider>());
    }
}

/// <summary>Says once at start-up which engine answers, so nobody mistakes the offline rules for a model.</summary>
internal sealed class LlmStartupLog(IOptions<LlmOptions> options, ILogger<LlmStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var llm = options.Value;
        if (llm.UsesModel)
        {
            // How it authenticates, never the key.
            LlmLog.ModelProviderSelected(
                logger, llm.Provider.ToLowerInvariant(), ProviderChatClients.Kind(llm), ProviderChatClients.EndpointOf(llm), llm.Model!,
                ProviderChatClients.Authentication(llm));
        }
        else
        {
            LlmLog.OfflineProviderSelected(logger);
        }

        if (llm.Recording is { RecordingMode: not null, Path: { } path })
        {
            LlmLog.RecordingEnabled(logger, llm.Recording.Mode.ToLowerInvariant(), Path.GetFullPath(path));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
