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
        this IServiceCollection services, IConfiguration configuration, string sectionName) where TOptions : class
    {
        var section = configuration.GetSection(sectionName);
        // What OptionsBuilder.Bind registers besides the binding: the options follow a reloaded file.
        services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(new ConfigurationChangeTokenSource<TOptions>(Options.DefaultName, section));
        return services.AddOptions<TOptions>()
            .Configure(options => Bind(section, options))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }

    /// <summary>
    /// A value of the wrong type (<c>--Coaching:MaxTurnLength=lots</c>) makes the binder throw an
    /// InvalidOperationException, which would end the process with a stack trace. Its message names
    /// the key, the value and the type wanted, so it becomes a <see cref="StartupException"/>.
    /// </summary>
    private static void Bind(IConfiguration section, object options)
    {
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new StartupException(e.Message, e);
        }
    }
}
