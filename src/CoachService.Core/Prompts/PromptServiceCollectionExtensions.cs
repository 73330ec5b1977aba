using CoachService.Llm.Tasks;
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
    /// broken prompt file fails start-up), its file watcher and the <see cref="LlmTaskRunner"/>.
    /// The runner needs an <c>IChatClient</c>, registered by the LLM provider setup.
    /// </summary>
    public static IServiceCollection AddCoachPrompts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PromptOptions>(configuration, PromptOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new PromptLibrary(
            provider.GetRequiredService<IOptions<PromptOptions>>().Value.ResolveDirectory(provider.GetRequiredService<IHostEnvironment>().ContentRootPath),
            provider.GetRequiredService<ILogger<PromptLibrary>>()));
        services.AddHostedService<PromptFileWatcher>();
        services.TryAddSingleton<LlmTaskRunner>();
        return services;
    }
}
