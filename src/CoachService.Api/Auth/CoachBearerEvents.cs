using System.Security.Claims;
using CoachService.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Api.Auth;

/// <summary>
/// What JwtBearer leaves to us: where the token is read from, the rule that the principal is one of
/// our user ids, the creation of an external issuer's users, and a refusal that says in a fixed
/// phrase what was wrong (never anything from the token) in <c>WWW-Authenticate</c> and the log.
/// </summary>
internal sealed class CoachBearerEvents(IOptions<AuthOptions> options, ILogger<CoachBearerEvents> logger)
    : JwtBearerEvents
{
    private const string HeaderPrefix = "Bearer ";

    /// <summary>
    /// The token from <c>Authorization: Bearer …</c>, or from the <c>access_token</c> query parameter
    /// on <c>/hubs/…</c> only, because browsers cannot set headers on WebSocket requests. Elsewhere
    /// the query parameter is ignored, so tokens stay out of URLs (and access logs) wherever a header
    /// is possible. An unsigned token or another algorithm is named as such before validation, which
    /// would only call it a bad signature.
    /// </summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        var token = ReadToken(context.Request);
        if (token is null)
        {
            context.NoResult();
        }
        else if (token.Length == 0)
        {
            Reject(context, "the request names the Bearer scheme but holds no token");
        }
        else if (AlgorithmRejection(token) is { } rejection)
        {
            Reject(context, rejection);
        }
        else
        {
            context.Token = token;
        }

        return Task.CompletedTask;
    }

    public override Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        Reject(context, Describe(context.Exception));
        return Task.CompletedTask;
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        var token = (JsonWebToken)context.SecurityToken;
        var settings = options.Value;
        var ours = token.Issuer == settings.Issuer;

        // Issuers and keys are each checked by the library, but not against each other: our key must
        // not vouch for the external issuer's users, nor its keys for ours.
        if (ours != (token.SigningKey is SymmetricSecurityKey))
        {
            Reject(context, "the token is signed with another issuer's key");
            return;
        }

        Guid userId;
        if (ours)
        {
            if (!Guid.TryParseExact(token.Subject, "D", out userId) || userId == Guid.Empty)
            {
                Reject(context, "the token's subject is not a user id");
                return;
            }
        }
        else
        {
            if (string.IsNullOrEmpty(token.Subject))
            {
                Reject(context, "the token has no subject");
                return;
            }

            userId = UserIds.FromExternalSubject(token.Issuer, token.Subject);
            var provisioning = context.HttpContext.RequestServices.GetRequiredService<UserProvisioning>();
            var outcome = await provisioning.EnsureAsync(userId, ClaimsOf(token), settings.ProvisioningWindow, context.HttpContext.RequestAborted);
            if (Refusal(outcome) is { } refusal)
            {
                Reject(context, refusal);
                return;
            }
        }

        // NameIdentifier is what SignalR's Context.UserIdentifier reads; sub is kept, written the same way.
        var claims = context.Principal!.Claims
            .Where(c => c.Type is not JwtRegisteredClaimNames.Sub and not ClaimTypes.NameIdentifier)
            .Append(new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()))
            .Append(new Claim(ClaimTypes.NameIdentifier, userId.ToString()));
        var validation = context.Options.TokenValidationParameters;
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, context.Scheme.Name, validation.NameClaimType, validation.RoleClaimType));
    }

    /// <summary>RFC 6750 §3.1: a request without credentials gets the bare challenge, no error code.</summary>
    public override Task Challenge(JwtBearerChallengeContext context)
    {
        if (context.AuthenticateFailure is not null)
        {
            context.Error = "invalid_token";
            // Every failure passed through Reject, so its message is one of our phrases.
            context.ErrorDescription = context.AuthenticateFailure is AuthenticationFailureException failure
                ? failure.Message
                : "the token is invalid";
        }

        return Task.CompletedTask;
    }

    private void Reject<TOptions>(ResultContext<TOptions> context, string rejection) where TOptions : AuthenticationSchemeOptions
    {
        AuthLog.TokenRejected(logger, rejection);
        context.Fail(rejection);
    }

    private string? AlgorithmRejection(string token)
    {
        string algorithm;
        try
        {
            algorithm = new JsonWebToken(token).Alg;
        }
        catch (ArgumentException)
        {
            return "the token is malformed";
        }

        if (string.IsNullOrEmpty(algorithm) || string.Equals(algorithm, "none", StringComparison.OrdinalIgnoreCase))
        {
            return "the token is not signed";
        }

        var allowed = options.Value.Algorithms;
        return allowed.Contains(algorithm, StringComparer.Ordinal)
            ? null
            : $"the token is signed with an algorithm other than {string.Join(" or ", allowed)}";
    }

    private SignInClaims ClaimsOf(JsonWebToken token)
    {
        string? Claim(string type) => token.TryGetPayloadValue<string>(type, out var value) ? value : null;

        // A token without iat counts as old: it cannot show that it is fresh.
        var issuedAt = token.IssuedAt == DateTime.MinValue ? DateTimeOffset.MinValue : new DateTimeOffset(token.IssuedAt, TimeSpan.Zero);
        return new SignInClaims(Claim(JwtRegisteredClaimNames.Email), Claim(JwtRegisteredClaimNames.Name), issuedAt);
    }

    private static string? Refusal(ProvisioningOutcome outcome) => outcome switch
    {
        ProvisioningOutcome.Known => null,
        ProvisioningOutcome.TokenTooOld => "the token's user does not exist and the token is too old to create it: sign in again",
        ProvisioningOutcome.NoEmail => "the token's user does not exist and the token has no e-mail address to create it with",
        ProvisioningOutcome.EmailTaken => "the token's e-mail address belongs to another account",
        ProvisioningOutcome.Erased => "the token's account was erased after the token was issued: sign in again",
        _ => "the token is invalid",
    };

    /// <summary>The token, "" for a Bearer header without one, or null when the request has none.</summary>
    private static string? ReadToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (!string.IsNullOrEmpty(header))
        {
            if (header.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return header[HeaderPrefix.Length..].Trim();
            }

            return string.Equals(header.Trim(), "Bearer", StringComparison.OrdinalIgnoreCase) ? "" : null;
        }

        if (request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase))
        {
            string? query = request.Query["access_token"];
            return string.IsNullOrEmpty(query) ? null : query;
        }

        return null;
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenNoExpirationException => "the token has no expiry time",
        SecurityTokenInvalidLifetimeException => "the token's lifetime is invalid",
        SecurityTokenInvalidIssuerException => "the token was issued by another issuer",
        SecurityTokenInvalidAudienceException => "the token is meant for another audience",
        SecurityTokenInvalidAlgorithmException => "the token is signed with an algorithm that is not allowed",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature is invalid",
        SecurityTokenMalformedException or ArgumentException => "the token is malformed",
        // The issuer's discovery document or keys could not be fetched.
        InvalidOperationException or HttpRequestException => "the token issuer's keys are not available",
        _ => "the token is invalid",
    };
}
