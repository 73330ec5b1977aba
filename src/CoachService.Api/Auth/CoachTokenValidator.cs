using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Api.Auth;

/// <summary>The principal of an accepted token, or why the token was refused.</summary>
internal sealed record TokenCheck(ClaimsPrincipal? Principal, string? Rejection);

/// <summary>
/// Checks access tokens: HS256 with the configured key, issuer, audience and lifetime, and a user id
/// (a Guid) as subject. Rejections are fixed phrases fit for a WWW-Authenticate header: they say
/// what was wrong and never repeat anything from the token.
/// </summary>
internal sealed class CoachTokenValidator
{
    /// <summary>Tolerated difference between our clock and the issuer's.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler tokens = new();
    private readonly TokenValidationParameters parameters;

    public CoachTokenValidator(IOptions<AuthOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = settings.CreateSigningKey(),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
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

    public async Task<TokenCheck> ValidateAsync(string token, string authenticationType)
    {
        JsonWebToken parsed;
        try
        {
            parsed = tokens.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Rejected("the token is malformed");
        }

        // Checked before the signature so that an unsigned token or another algorithm is named as such.
        if (string.IsNullOrEmpty(parsed.Alg) || string.Equals(parsed.Alg, "none", StringComparison.OrdinalIgnoreCase))
        {
            return Rejected("the token is not signed");
        }

        if (parsed.Alg != SecurityAlgorithms.HmacSha256)
        {
            return Rejected("the token is signed with an algorithm other than HS256");
        }

        var result = await tokens.ValidateTokenAsync(parsed, parameters);
        if (!result.IsValid)
        {
            return Rejected(Describe(result.Exception));
        }

        var subject = result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        if (!Guid.TryParseExact(subject, "D", out var userId) || userId == Guid.Empty)
        {
            return Rejected("the token's subject is not a user id");
        }

        // NameIdentifier is what SignalR's Context.UserIdentifier reads; sub is kept, written the same way.
        var claims = result.ClaimsIdentity.Claims
            .Where(c => c.Type is not JwtRegisteredClaimNames.Sub and not ClaimTypes.NameIdentifier)
            .Append(new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()))
            .Append(new Claim(ClaimTypes.NameIdentifier, userId.ToString()));
        var identity = new ClaimsIdentity(claims, authenticationType, parameters.NameClaimType, parameters.RoleClaimType);
        return new TokenCheck(new ClaimsPrincipal(identity), null);
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

    private static TokenCheck Rejected(string rejection) => new(null, rejection);

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenNoExpirationException => "the token has no expiry time",
        SecurityTokenInvalidLifetimeException => "the token's lifetime is invalid",
        SecurityTokenInvalidIssuerException => "the token was issued by another issuer",
        SecurityTokenInvalidAudienceException => "the token is meant for another audience",
        SecurityTokenInvalidAlgorithmException => "the token is signed with an algorithm other than HS256",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature is invalid",
        SecurityTokenMalformedException or ArgumentException => "the token is malformed",
        _ => "the token is invalid",
    };
}
