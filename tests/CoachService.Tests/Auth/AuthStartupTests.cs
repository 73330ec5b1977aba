using System.Net;
using System.Net.Http.Headers;
using CoachService.Api.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Tests.Auth;

public sealed class AuthStartupTests
{
    private static readonly TimeSpan AwaitLimit = AuthTestHost.AwaitLimit;

    [Fact]
    public async Task Outside_Development_start_up_fails_without_a_signing_key()
    {
        var failure = await StartupFailureAsync("Production", signingKey: null);

        Assert.Contains("Auth:SigningKey is required", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", "0123456789012345678901234567890")] // 31 bytes
    [InlineData("Development", "too-short")]
    public async Task A_signing_key_shorter_than_32_bytes_fails_start_up(string environment, string key)
    {
        var failure = await StartupFailureAsync(environment, key);

        Assert.Contains("Auth:SigningKey is too short", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_key_length_is_counted_in_UTF8_bytes()
    {
        // 16 characters, 32 bytes.
        await using var host = await AuthTestHost.StartAsync("Production", new string('é', 16)).WaitAsync(AwaitLimit);

        Assert.Equal(new string('é', 16), host.Get<IOptions<AuthOptions>>().Value.SigningKey);
    }

    [Fact]
    public async Task In_Development_a_missing_key_is_generated_with_a_warning_and_tokens_work()
    {
        await using var host = await AuthTestHost.StartAsync("Development", signingKey: null).WaitAsync(AwaitLimit);
        var userId = Guid.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.Get<CoachTokenIssuer>().Issue(userId).AccessToken);

        using var response = await host.Client.SendAsync(request).WaitAsync(AwaitLimit);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var warning = Assert.Single(host.Logs.Entries, e => e.EventId.Id == 3101);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("will not survive a restart", warning.Message, StringComparison.Ordinal);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(host.Get<IOptions<AuthOptions>>().Value.SigningKey) >= 32);
    }

    [Theory]
    [InlineData("http://login.example.com/realms/coach", "Auth:AllowHttpMetadata")]
    [InlineData("not a url", "Auth:Authority must be an absolute http(s) URL")]
    public async Task An_external_issuer_that_is_not_https_or_not_a_url_fails_start_up(string authority, string named)
    {
        var failure = await StartupFailureAsync("Production", AuthTestHost.SigningKey, new Dictionary<string, string?> { ["Auth:Authority"] = authority });

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")] // Docker Compose passes an unset variable as empty
    [InlineData("http://login.example.com/realms/coach")]
    public async Task An_empty_authority_or_http_with_the_setting_starts(string authority)
    {
        await using var host = await AuthTestHost.StartAsync("Production", settings: new Dictionary<string, string?>
        {
            ["Auth:Authority"] = authority,
            ["Auth:AllowHttpMetadata"] = "true",
        }).WaitAsync(AwaitLimit);

        Assert.Equal(authority, host.Get<IOptions<AuthOptions>>().Value.Authority);
    }

    private static async Task<Exception> StartupFailureAsync(string environment, string? signingKey, IReadOnlyDictionary<string, string?>? settings = null)
    {
        await using var app = AuthTestHost.Build(environment, signingKey, new TestLogs(), settings: settings);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(AwaitLimit));
    }
}
