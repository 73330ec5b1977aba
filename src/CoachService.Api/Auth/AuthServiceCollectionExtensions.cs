using CoachService;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CoachService.Api.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Bearer token authentication (the default scheme), an authorization default policy that asks
    /// for an authenticated user, <see cref="AuthOptions"/> from the "Auth" section of
    /// <paramref name="configuration"/>, and <see cref="CoachTokenIssuer"/>.
    /// </summary>
    public static IServiceCollection AddCoachAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // Made once, so that every options instance in this process signs with the same key.
        var developmentKey = environment.IsDevelopment() ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) : null;
        var warned = 0; // options are built more than once (start-up validation, IOptions, reloads); warn once
        // Validation runs after the post-configuration, so a generated development key passes it.
        services.AddValidatedOptions<AuthOptions>(configuration, AuthOptions.SectionName)
            .PostConfigure<ILoggerFactory>((options, loggers) =>
            {
                if (developmentKey is not null && string.IsNullOrEmpty(options.SigningKey))
                {
                    options.SigningKey = developmentKey;
                    if (Interlocked.Exchange(ref warned, 1) == 0)
                    {
                        AuthLog.UsingGeneratedSigningKey(loggers.CreateLogger(typeof(AuthOptions).FullName!));
                    }
                }
            });

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CoachTokenValidator>();
        services.AddSingleton<CoachTokenIssuer>();
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, displayName: null, configureOptions: null);
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(BearerTokenHandler.SchemeName).RequireAuthenticatedUser().Build());
        return services;
    }
}
