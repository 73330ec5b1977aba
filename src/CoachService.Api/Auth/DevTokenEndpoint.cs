using System.Text.Json.Serialization;
using CoachService.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachService.Api.Auth;

/// <summary>What <c>POST /dev/token</c> takes.</summary>
public sealed record DevTokenRequest(
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("timezone")] string? Timezone = null,
    [property: JsonPropertyName("preferred_language")] string? PreferredLanguage = null);

/// <summary>What <c>POST /dev/token</c> returns (the shape of an OAuth token response).</summary>
public sealed record DevTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("user_id")] Guid UserId);

public static class DevTokenEndpoint
{
    /// <summary>
    /// Maps <c>POST /dev/token</c>: sign in as any e-mail address, no password. Development only:
    /// this throws in any other environment, so it cannot reach production by accident.
    /// </summary>
    public static IEndpointRouteBuilder MapDevTokenEndpoint(this IEndpointRouteBuilder app)
    {
        var environment = app.ServiceProvider.GetRequiredService<IHostEnvironment>();
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"The development token endpoint signs anyone in without a password; it is only for Development, not {environment.EnvironmentName}.");
        }

        app.MapPost("/dev/token", IssueAsync).AllowAnonymous().WithName("DevToken");
        return app;
    }

    private static async Task<Results<Ok<DevTokenResponse>, ValidationProblem, ProblemHttpResult>> IssueAsync(
        DevTokenRequest? request, UserAccounts users, CoachTokenIssuer issuer, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request?.Email))
        {
            return Invalid("email", "email is required");
        }

        User user;
        try
        {
            user = await users.FindOrCreateAsync(UserIds.FromEmail(request.Email), new NewUser(
                request.Email,
                request.Name,
                request.Timezone ?? "UTC",
                request.PreferredLanguage ?? "en"), cancellationToken);
        }
        catch (DomainValidationException e)
        {
            return Invalid(e.Field, e.Message);
        }
        catch (DomainConflictException e)
        {
            // The address belongs to a user made some other way, under an id this endpoint cannot derive.
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: $"{e.Field} conflict");
        }

        var token = issuer.Issue(user.Id, user.Email, user.Name);
        AuthLog.DevTokenIssued(loggers.CreateLogger(typeof(DevTokenEndpoint).FullName!), user.Id);
        return TypedResults.Ok(new DevTokenResponse(token.AccessToken, "Bearer", (long)token.Lifetime.TotalSeconds, user.Id));
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
