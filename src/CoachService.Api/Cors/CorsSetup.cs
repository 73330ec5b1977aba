using System.ComponentModel.DataAnnotations;

namespace CoachService.Api.Cors;

/// <summary>Which web origins may call the service from a browser; section "Cors".</summary>
public sealed class CoachCorsOptions : IValidatableObject
{
    public const string SectionName = "Cors";

    /// <summary>Origins such as https://app.example.com; empty allows no other origin (same-origin pages still work).</summary>
    public string[] AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
            {
                yield return new ValidationResult($"Cors:AllowedOrigins has '{origin}', which is not an origin such as https://app.example.com.", [nameof(AllowedOrigins)]);
            }
        }
    }
}

public static class CorsSetup
{
    public const string PolicyName = "coach-clients";

    /// <summary>A CORS policy for the configured origins: any method and header, credentials not needed (bearer tokens).</summary>
    public static IServiceCollection AddCoachCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<CoachCorsOptions>(configuration, CoachCorsOptions.SectionName);
        services.AddCors();
        // Built from the bound options, so every configuration source (and a test's settings) counts.
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<CoachCorsOptions>>((cors, coach) => cors.AddPolicy(PolicyName, policy => policy
                .WithOrigins(coach.Value.AllowedOrigins.Select(o => o.TrimEnd('/')).ToArray())
                .AllowAnyMethod()
                .AllowAnyHeader()));
        return services;
    }
}
