using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Tests.Auth;

/// <summary>Tokens made by hand, valid for <see cref="AuthTestHost"/> unless a test changes something.</summary>
internal static class TestTokens
{
    public static string Create(Guid userId, Action<SecurityTokenDescriptor>? change = null) =>
        Create(userId.ToString(), change);

    public static string Create(string subject, Action<SecurityTokenDescriptor>? change = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = "coach-service",
            Audience = "coach-clients",
            Claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = subject },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = Signing(AuthTestHost.SigningKey),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static SigningCredentials Signing(string key, string algorithm = SecurityAlgorithms.HmacSha256) =>
        new(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(key)), algorithm);
}
