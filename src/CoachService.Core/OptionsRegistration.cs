using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CoachService;

public static class OptionsRegistration
{
    /// <summary>
    /// Binds a section of the configuration handed in (so hosts and tests decide what the options see)
    /// and validates it when the host starts: a bad setting stops start-up with a message naming it.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(
        this IServiceCollection services, IConfiguration configuration, string sectionName) where TOptions : class =>
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(sectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
