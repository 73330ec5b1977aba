using CoachService.Conversations.Preemptive;
using CoachService.Onboarding;
using CoachService.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Conversations;

public static class ConversationServiceCollectionExtensions
{
    /// <summary>Turns, sessions and their options (section "Coaching"); needs the domain, LLM and prompt services.</summary>
    public static IServiceCollection AddCoachConversations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<CoachingOptions>(configuration, CoachingOptions.SectionName);
        services.AddValidatedOptions<PreemptiveOptions>(configuration, PreemptiveOptions.SectionName);
        services.AddSingleton<PreemptiveGeneration>();
        services.AddSingleton<ActiveTurns>();
        services.AddSingleton<CarriedContexts>();
        services.AddSingleton<BackgroundWork>();
        services.AddSingleton<TurnOrchestrator>();
        services.AddSingleton<SessionLifecycle>();
        services.AddSingleton<SessionEnding>();
        services.AddSingleton<TurnStore>();
        services.AddSingleton<EmotionalSnapshots>();
        services.AddSingleton<OnboardingCompletion>();
        services.AddSingleton<TurnRateLimiter>();
        services.AddSingleton<TurnClaims>();
        services.AddValidatedOptions<TurnCoordinationOptions>(configuration, TurnCoordinationOptions.SectionName);
        services.AddSingleton(provider => new TurnCoordinator(
            provider.GetRequiredService<CoachService.Persistence.CoachConnectionStrings>,
            provider.GetRequiredService<TurnClaims>,
            provider.GetRequiredService<ActiveTurns>(),
            provider,
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TurnCoordinationOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<TurnCoordinator>>()));
        services.AddHostedService(provider => provider.GetRequiredService<TurnCoordinator>());
        services.AddHostedService<ConversationShutdown>();
        services.AddIdleSessionSweep(configuration);
        return services;
    }
}
