using CoachService;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Api.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>Tolerated difference between our clock and the issuer's.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>
    /// JwtBearer authentication (the default scheme, "Bearer") for our HS256 tokens and, with
    /// <c>Auth:Authority</c>, an external issuer's RS256 tokens; an authorization default policy that
    /// asks for an authenticated user; <see cref="AuthOptions"/> from the "Auth" section of
    /// <paramref name="configuration"/>; and <see cref="CoachTokenIssuer"/>.
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
            })
            .Validate(options => options.MetadataTransportIsAllowed(environment.IsDevelopment()),
                "Auth:Authority (or Auth:MetadataAddress) uses plain http to a host that is not loopback: use https, or set Auth:AllowHttpMetadata=true for an issuer on a network you trust");

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CoachTokenIssuer>();
        services.AddSingleton<CoachBearerEvents>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, TimeProvider>((bearer, auth, time) => Configure(bearer, auth.Value, time, environment));
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        return services;
    }

    private static void Configure(JwtBearerOptions bearer, AuthOptions settings, TimeProvider time, IHostEnvironment environment)
    {
        bearer.EventsType = typeof(CoachBearerEvents);
        // Claims keep their JWT names (sub, email, name); CoachBearerEvents adds NameIdentifier.
        bearer.MapInboundClaims = false;
        if (settings.MetadataUri is { } metadata)
        {
            bearer.Authority = settings.Authority;
            bearer.MetadataAddress = metadata.ToString();
            bearer.RequireHttpsMetadata = !settings.MetadataTransportIsAllowed(environment.IsDevelopment());
        }

        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            // With an Authority, JwtBearer adds the issuer and keys of its discovery document to these.
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = settings.CreateSigningKey(),
            ValidAlgorithms = settings.Algorithms,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            // The library reads the system clock; this reads the injected one, as the issuer does.
            LifetimeValidator = (notBefore, expires, _, _) => ValidateLifetime(notBefore, expires, time.GetUtcNow().UtcDateTime),
            NameClaimType = JwtRegisteredClaimNames.Name,
            RoleClaimType = "role",
        };
    }

    private static bool ValidateLifetime(DateTime? notBefore, DateTime? expires, DateTime now)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiry time.");
        }

        if (notBefore > now + ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = notBefore.Value };
        }

        if (expires < now - ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        }

        return true;
    }
}
