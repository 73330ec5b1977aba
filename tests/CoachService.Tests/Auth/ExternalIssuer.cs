using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace CoachService.Tests.Auth;

/// <summary>
/// An OpenID Connect issuer on loopback: WireMock serves its discovery document and its JSON Web
/// Key Set with one RSA key made here, and <see cref="CreateToken"/> signs RS256 tokens with it.
/// </summary>
internal sealed class ExternalIssuer : IDisposable
{
    public const string KeyId = "test-key-1";

    private readonly WireMockServer server;
    private readonly RSA key = RSA.Create(2048);

    public ExternalIssuer()
    {
        server = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
        Url = server.Url!;
        Json("/.well-known/openid-configuration", new Dictionary<string, object>
        {
            ["issuer"] = Url,
            ["jwks_uri"] = $"{Url}/jwks",
            ["authorization_endpoint"] = $"{Url}/authorize",
            ["token_endpoint"] = $"{Url}/token",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        });
        var publicKey = key.ExportParameters(includePrivateParameters: false);
        Json("/jwks", new Dictionary<string, object>
        {
            ["keys"] = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = KeyId,
                    ["n"] = Base64UrlEncoder.Encode(publicKey.Modulus), ["e"] = Base64UrlEncoder.Encode(publicKey.Exponent),
                },
            },
        });
    }

    /// <summary>The issuer (<c>iss</c>) and authority, e.g. http://127.0.0.1:41234.</summary>
    public string Url { get; }

    /// <summary>How often the service fetched the key set.</summary>
    public int KeySetRequests => server.LogEntries.Count(e => e.RequestMessage.Path == "/jwks");

    public SigningCredentials Signing => new(new RsaSecurityKey(key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256);

    /// <summary>A token as the issuer would sign it for the service's audience, valid for ten minutes.</summary>
    public string CreateToken(string subject, string? email, string? name = null, Action<SecurityTokenDescriptor>? change = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = subject };
        if (email is not null)
        {
            claims[JwtRegisteredClaimNames.Email] = email;
        }

        if (name is not null)
        {
            claims[JwtRegisteredClaimNames.Name] = name;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Url,
            Audience = "coach-clients",
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = Signing,
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public void Dispose()
    {
        server.Stop();
        server.Dispose();
        key.Dispose();
    }

    private void Json(string path, object body) =>
        server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(JsonSerializer.Serialize(body)));
}
