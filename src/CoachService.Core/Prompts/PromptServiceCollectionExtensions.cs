using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Prompts;

public static class PromptServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PromptOptions"/>, the <see cref="PromptLibrary"/> (loaded at start-up; a
    /// broken or missing prompt file fails start-up) and its file watcher. The tasks that run these
    /// prompts are registered by <c>AddCoachKernel</c>, which names the <paramref name="required"/> prompts.
    /// </summary>
    public static IServiceCollection AddCoachPrompts(this IServiceCollection services, IConfiguration configuration, IReadOnlyCollection<string> required)
    {
        services.AddValidatedOptions<PromptOptions>(configuration, PromptOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new PromptLibrary(
            provider.GetRequiredService<IOptions<PromptOptions>>().Value.ResolveDirectory(provider.GetRequiredService<IHostEnvironment>().ContentRootPath),
            provider.GetRequiredService<ILogger<PromptLibrary>>(),
            required));
        services.AddHostedService<PromptFileWatcher>();
        return services;
    }
}
