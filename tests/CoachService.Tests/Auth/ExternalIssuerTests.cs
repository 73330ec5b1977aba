using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using CoachService.Persistence;
using CoachService.Privacy;
using CoachService.Testing;
using CoachService.Users;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Tests.Auth;

/// <summary>
/// One database, issuer and host for all of <see cref="ExternalIssuerTests"/> (each test uses its own
/// subjects and addresses): a database per test would hold more pooled connections than the test cluster takes.
/// </summary>
public sealed class ExternalIssuerHost : IAsyncLifetime
{
    internal ExternalIssuer Issuer { get; } = new();

    public CoachTestDatabase Database { get; private set; } = null!;

    internal AuthTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await CoachTestDatabase.CreateAsync().WaitAsync(TimeSpan.FromMinutes(2));
        // Production: plain http to the issuer is allowed because it is on loopback.
        Host = await AuthTestHost.StartAsync(
            "Production",
            services: s => s.AddCoachPersistence(Database.Connections, Database.Encryption).AddCoachDomain(),
            settings: new Dictionary<string, string?> { ["Auth:Authority"] = Issuer.Url }).WaitAsync(AuthTestHost.AwaitLimit);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Database.DisposeAsync();
        Issuer.Dispose();
    }
}

/// <summary>Tokens of an external OpenID Connect issuer (Auth:Authority), beside the service's own.</summary>
public sealed class ExternalIssuerTests(ExternalIssuerHost fixture) : IClassFixture<ExternalIssuerHost>
{
    private static readonly TimeSpan AwaitLimit = AuthTestHost.AwaitLimit;
    private readonly ExternalIssuer issuer = fixture.Issuer;
    private readonly CoachTestDatabase database = fixture.Database;
    private readonly AuthTestHost host = fixture.Host;

    [Fact]
    public async Task A_valid_token_creates_its_user_from_the_claims_on_first_sight()
    {
        var subject = "auth0|" + Guid.NewGuid().ToString("N");
        var token = issuer.CreateToken(subject, "Ana.External@Example.com", "Ana External");

        var first = await WhoAmIAsync(token);
        var second = await WhoAmIAsync(token);

        var expected = UserIds.FromExternalSubject(issuer.Url, subject);
        Assert.Equal(expected, first);
        Assert.Equal(expected, second);
        var user = await host.Get<UserAccounts>().FindAsync(expected).WaitAsync(AwaitLimit);
        Assert.NotNull(user);
        Assert.Equal(("ana.external@example.com", "Ana External"), (user.Email, user.Name));
    }

    [Fact]
    public async Task The_services_own_tokens_still_work_beside_the_issuers()
    {
        var userId = Guid.NewGuid();

        Assert.Equal(userId, await WhoAmIAsync(TestTokens.Create(userId)));
        Assert.Equal(UserIds.FromExternalSubject(issuer.Url, "ben"), await WhoAmIAsync(issuer.CreateToken("ben", $"ben.{Guid.NewGuid():N}@example.com")));
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "wrong key", "the token's signature is invalid" },
        { "wrong issuer", "the token was issued by another issuer" },
        { "wrong audience", "the token is meant for another audience" },
        { "alg none", "the token is not signed" },
        { "our key for their issuer", "the token is signed with another issuer's key" },
        { "no e-mail", "the token's user does not exist and the token has no e-mail address to create it with" },
        { "issued long ago", "the token's user does not exist and the token is too old to create it: sign in again" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_and_creates_nobody(string defect, string description)
    {
        var subject = Guid.NewGuid().ToString("N");
        var email = $"{subject}@example.com";
        var token = defect switch
        {
            "wrong key" => issuer.CreateToken(subject, email, change: d => d.SigningCredentials = new SigningCredentials(
                new RsaSecurityKey(RSA.Create(2048)) { KeyId = ExternalIssuer.KeyId }, SecurityAlgorithms.RsaSha256)),
            "wrong issuer" => issuer.CreateToken(subject, email, change: d => d.Issuer = "https://someone-else.example.com"),
            "wrong audience" => issuer.CreateToken(subject, email, change: d => d.Audience = "other-clients"),
            "alg none" => issuer.CreateToken(subject, email, change: d => d.SigningCredentials = null),
            "our key for their issuer" => issuer.CreateToken(subject, email, change: d => d.SigningCredentials = TestTokens.Signing(AuthTestHost.SigningKey)),
            "no e-mail" => issuer.CreateToken(subject, email: null),
            "issued long ago" => issuer.CreateToken(subject, email, change: d => d.IssuedAt = DateTime.UtcNow.AddMinutes(-6)),
            _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, null),
        };

        using var response = await GetAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Null(await host.Get<UserAccounts>().FindAsync(UserIds.FromExternalSubject(issuer.Url, subject)).WaitAsync(AwaitLimit));
        Assert.Null(await host.Get<UserAccounts>().FindAsync(UserIds.FromExternalSubject("https://someone-else.example.com", subject)).WaitAsync(AwaitLimit));
    }

    [Fact]
    public async Task Concurrent_first_requests_make_one_user()
    {
        var subject = Guid.NewGuid().ToString("N");
        var email = $"{subject}@example.com";
        var token = issuer.CreateToken(subject, email, "Cleo");

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => WhoAmIAsync(token))).WaitAsync(AwaitLimit);

        Assert.Single(ids.Distinct());
        await using var owner = await database.OpenOwnerAsync();
        Assert.Equal(1, await database.CountAsync(owner, "SELECT count(*) FROM users WHERE email = @e", ("e", email)));
    }

    [Fact]
    public async Task An_erased_user_is_not_brought_back_by_a_token_issued_before_the_window()
    {
        var subject = Guid.NewGuid().ToString("N");
        var email = $"{subject}@example.com";
        var userId = await WhoAmIAsync(issuer.CreateToken(subject, email));
        Assert.True(await host.Get<UserDataPrivacy>().EraseAsync(userId).WaitAsync(AwaitLimit));

        // Still valid for minutes, but issued before the provisioning window: kept across the erasure.
        var kept = issuer.CreateToken(subject, email, change: d => d.IssuedAt = DateTime.UtcNow.AddMinutes(-6));
        using var response = await GetAsync(kept);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(await host.Get<UserAccounts>().FindAsync(userId).WaitAsync(AwaitLimit));

        // Signing in again (a token issued after the erasure) is a new, empty account under the same id.
        Assert.Equal(userId, await WhoAmIAsync(issuer.CreateToken(subject, email, change: d => d.IssuedAt = DateTime.UtcNow.AddSeconds(1))));
    }

    [Fact]
    public async Task A_token_issued_minutes_before_an_erasure_does_not_bring_the_account_back()
    {
        var subject = Guid.NewGuid().ToString("N");
        var email = $"{subject}@example.com";
        // Within the provisioning window, and issued (and kept by the client) before the erasure.
        var kept = issuer.CreateToken(subject, email, change: d => d.IssuedAt = DateTime.UtcNow.AddMinutes(-2));
        var userId = await WhoAmIAsync(kept);
        Assert.True(await host.Get<UserDataPrivacy>().EraseAsync(userId).WaitAsync(AwaitLimit));

        using var response = await GetAsync(kept);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"the token's account was erased after the token was issued: sign in again\"",
            Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Null(await host.Get<UserAccounts>().FindAsync(userId).WaitAsync(AwaitLimit));

        // Erased a second time after signing up again: the record moves on with it.
        await using var owner = await database.OpenOwnerAsync();
        const string ErasedAt = "SELECT (extract(epoch FROM erased_at) * 1000000)::bigint FROM erased_users WHERE id = @u";
        var first = await database.CountAsync(owner, ErasedAt, ("u", userId));
        Assert.Equal(userId, await WhoAmIAsync(issuer.CreateToken(subject, email, change: d => d.IssuedAt = DateTime.UtcNow.AddSeconds(1))));
        Assert.True(await host.Get<UserDataPrivacy>().EraseAsync(userId).WaitAsync(AwaitLimit));
        Assert.True(await database.CountAsync(owner, ErasedAt, ("u", userId)) > first);
        Assert.Null(await host.Get<UserAccounts>().FindAsync(userId).WaitAsync(AwaitLimit));
    }

    [Fact]
    public async Task An_email_address_of_another_account_is_refused()
    {
        var email = $"taken.{Guid.NewGuid():N}@example.com";
        await host.Get<UserAccounts>().CreateAsync(new NewUser(email)).WaitAsync(AwaitLimit);

        using var response = await GetAsync(issuer.CreateToken(Guid.NewGuid().ToString("N"), email));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("belongs to another account", Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await host.Client.SendAsync(request).WaitAsync(AwaitLimit);
    }

    private async Task<Guid> WhoAmIAsync(string token)
    {
        using var response = await GetAsync(token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UserIdResponse>().WaitAsync(AwaitLimit))!.UserId;
    }
}
