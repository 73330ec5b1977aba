using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CoachService.Safety;

public static class SafetyServiceCollectionExtensions
{
    /// <summary>The local crisis screen: pure and stateless, so one instance serves every turn.</summary>
    public static IServiceCollection AddCoachSafety(this IServiceCollection services)
    {
        services.TryAddSingleton<LocalCrisisScreen>();
        return services;
    }
}
