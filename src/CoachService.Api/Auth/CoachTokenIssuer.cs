using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Api.Auth;

/// <summary>A signed access token and when it stops being accepted.</summary>
public sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt, TimeSpan Lifetime);

/// <summary>Signs access tokens for users with the configured issuer, audience and key (HS256).</summary>
public sealed class CoachTokenIssuer(IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler tokens = new();

    /// <param name="lifetime">How long the token lasts; <see cref="AuthOptions.DevTokenLifetime"/> when not given.</param>
    public IssuedToken Issue(Guid userId, string? email = null, string? name = null, TimeSpan? lifetime = null)
    {
        if (userId == Guid.Empty)
        {
            throw new ArgumentException("A token needs a user id.", nameof(userId));
        }

        var settings = options.Value;
        var validFor = lifetime ?? settings.DevTokenLifetime;
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = userId.ToString() };
        if (!string.IsNullOrWhiteSpace(email))
        {
            claims[JwtRegisteredClaimNames.Email] = email;
        }

        if (!string.IsNullOrWhiteSpace(name))
        {
            claims[JwtRegisteredClaimNames.Name] = name;
        }

        var token = tokens.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + validFor).UtcDateTime,
            SigningCredentials = new SigningCredentials(settings.CreateSigningKey(), SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, now + validFor, validFor);
    }
}
