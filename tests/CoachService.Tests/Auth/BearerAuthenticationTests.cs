using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using CoachService.Api.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Tests.Auth;

public sealed class BearerAuthenticationTests : IAsyncLifetime
{
    private static readonly TimeSpan AwaitLimit = AuthTestHost.AwaitLimit;
    private AuthTestHost host = null!;

    public async Task InitializeAsync() => host = await AuthTestHost.StartAsync().WaitAsync(AwaitLimit);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_token_from_the_issuer_identifies_its_user()
    {
        var userId = Guid.NewGuid();
        var token = host.Get<CoachTokenIssuer>().Issue(userId, "ana@example.com", "Ana");

        using var response = await GetAsync("/me", token.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<UserIdResponse>().WaitAsync(AwaitLimit);
        Assert.Equal(userId, body!.UserId);
    }

    [Fact]
    public void The_issuer_signs_with_the_configured_issuer_audience_and_lifetime()
    {
        var userId = Guid.NewGuid();
        var issued = host.Get<CoachTokenIssuer>().Issue(userId, "ana@example.com", "Ana");

        var token = new JsonWebToken(issued.AccessToken);
        Assert.Equal("HS256", token.Alg);
        Assert.Equal("coach-service", token.Issuer);
        Assert.Equal(["coach-clients"], token.Audiences);
        Assert.Equal(userId.ToString(), token.Subject);
        Assert.Equal("ana@example.com", token.GetClaim("email").Value);
        Assert.Equal("Ana", token.GetClaim("name").Value);
        Assert.Equal(TimeSpan.FromHours(12), token.ValidTo - token.IssuedAt);
        Assert.Equal(TimeSpan.FromHours(12), issued.Lifetime);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task A_request_without_a_token_gets_the_bare_challenge()
    {
        using var response = await GetAsync("/me", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // RFC 6750 §3.1: no error code when the request carried no credentials at all.
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "expired", "the token has expired" },
        { "not yet valid", "the token is not valid yet" },
        { "no expiry", "the token has no expiry time" },
        { "wrong issuer", "the token was issued by another issuer" },
        { "wrong audience", "the token is meant for another audience" },
        { "wrong key", "the token's signature is invalid" },
        { "tampered payload", "the token's signature is invalid" },
        { "alg none", "the token is not signed" },
        { "HS384", "the token is signed with an algorithm other than HS256" },
        { "sub not a Guid", "the token's subject is not a user id" },
        { "no sub", "the token's subject is not a user id" },
        { "not a JWT", "the token is malformed" },
        { "empty", "the request names the Bearer scheme but holds no token" },
    };

    [Trait("Suite", "Reliability")]
    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_with_what_was_wrong(string defect, string description)
    {
        var token = BadToken(defect);

        using var response = await GetAsync("/me", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate).ToString();
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", challenge);
        if (token.Length > 0)
        {
            Assert.DoesNotContain(token, challenge, StringComparison.Ordinal);
        }

        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 3102 && e.Message.EndsWith(description, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Entries, e => token.Length > 0 && e.Message.Contains(token, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-10, HttpStatusCode.OK)] // within the clock skew
    [InlineData(-60, HttpStatusCode.Unauthorized)]
    public async Task Expiry_allows_a_small_clock_skew(int expiredSecondsAgo, HttpStatusCode expected)
    {
        var token = TestTokens.Create(Guid.NewGuid(), d =>
        {
            d.IssuedAt = d.NotBefore = DateTime.UtcNow.AddMinutes(-5);
            d.Expires = DateTime.UtcNow.AddSeconds(expiredSecondsAgo);
        });

        using var response = await GetAsync("/me", token);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task The_access_token_query_parameter_is_accepted_on_hub_paths()
    {
        var userId = Guid.NewGuid();
        var token = TestTokens.Create(userId);

        using var response = await GetAsync("/hubs/probe?access_token=" + Uri.EscapeDataString(token), token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(userId, (await response.Content.ReadFromJsonAsync<UserIdResponse>().WaitAsync(AwaitLimit))!.UserId);
    }

    [Fact]
    public async Task The_access_token_query_parameter_is_ignored_elsewhere()
    {
        var token = TestTokens.Create(Guid.NewGuid());

        using var response = await GetAsync("/me?access_token=" + Uri.EscapeDataString(token), token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await host.Client.SendAsync(request).WaitAsync(AwaitLimit);
    }

    private static string BadToken(string defect)
    {
        var userId = Guid.NewGuid();
        return defect switch
        {
            "expired" => TestTokens.Create(userId, d =>
            {
                d.IssuedAt = d.NotBefore = DateTime.UtcNow.AddHours(-2);
                d.Expires = DateTime.UtcNow.AddHours(-1);
            }),
            "not yet valid" => TestTokens.Create(userId, d =>
            {
                d.NotBefore = DateTime.UtcNow.AddHours(1);
                d.Expires = DateTime.UtcNow.AddHours(2);
            }),
            "no expiry" => NoExpiry(userId),
            "wrong issuer" => TestTokens.Create(userId, d => d.Issuer = "someone-else"),
            "wrong audience" => TestTokens.Create(userId, d => d.Audience = "other-clients"),
            "wrong key" => TestTokens.Create(userId, d => d.SigningCredentials = TestTokens.Signing("another-key-that-is-long-enough-for-hs256-0123456789")),
            "tampered payload" => Tampered(userId),
            "alg none" => TestTokens.Create(userId, d => d.SigningCredentials = null),
            "HS384" => TestTokens.Create(userId, d => d.SigningCredentials = TestTokens.Signing(AuthTestHost.SigningKey, SecurityAlgorithms.HmacSha384)),
            "sub not a Guid" => TestTokens.Create("ana"),
            "no sub" => TestTokens.Create(userId, d => d.Claims = new Dictionary<string, object> { ["email"] = "ana@example.com" }),
            "not a JWT" => "this-is-not-a-token",
            "empty" => "",
            _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, null),
        };
    }

    /// <summary>The library adds an expiry by default; this token has none, signed properly.</summary>
    private static string NoExpiry(Guid userId)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "coach-service",
            Audience = "coach-clients",
            Claims = new Dictionary<string, object> { ["sub"] = userId.ToString() },
            SigningCredentials = TestTokens.Signing(AuthTestHost.SigningKey),
        });
    }

    /// <summary>A valid token whose payload now names someone else, with the original signature.</summary>
    private static string Tampered(Guid userId)
    {
        var parts = TestTokens.Create(userId).Split('.');
        var other = TestTokens.Create(Guid.NewGuid()).Split('.');
        return $"{parts[0]}.{other[1]}.{parts[2]}";
    }
}
