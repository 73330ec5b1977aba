using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using CoachService.Testing;
using CoachService.Tests.Service;
using CoachService.Users;

namespace CoachService.Tests.Auth;

/// <summary>The <c>token</c> verb, run as its own process as a Docker Compose user would run it.</summary>
public sealed class TokenCommandTests(TokenCommandTests.SharedDatabase shared) : IClassFixture<TokenCommandTests.SharedDatabase>
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromMinutes(2);
    private readonly CoachTestDatabase database = shared.Database;

    /// <summary>One database for the class: each test uses its own address.</summary>
    public sealed class SharedDatabase : IAsyncLifetime
    {
        public CoachTestDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync() => Database = await CoachTestDatabase.CreateAsync().WaitAsync(TimeSpan.FromMinutes(2));

        public async Task DisposeAsync() => await Database.DisposeAsync();
    }

    [Fact]
    public async Task It_creates_the_user_and_prints_a_token_the_service_accepts()
    {
        using var folder = new TemporaryFolder();
        var email = $"dana.{Guid.NewGuid():N}@example.com";
        await using var command = ServiceProcess.Start(folder.Path, Settings(AuthTestHost.SigningKey),
            "token", "--email", email, "--name", "Dana", "--timezone", "Europe/Lisbon");

        Assert.Equal(0, await command.WaitForExitAsync(ExitTimeout));

        var token = command.Output.Trim();
        Assert.DoesNotContain('\n', token); // only the token: a script can capture it
        var user = await database.Get<UserAccounts>().FindAsync(UserIds.FromEmail(email)).WaitAsync(AuthTestHost.AwaitLimit);
        Assert.NotNull(user);
        Assert.Equal(("Dana", "Europe/Lisbon"), (user.Name, user.Timezone));

        await using var host = await AuthTestHost.StartAsync("Production").WaitAsync(AuthTestHost.AwaitLimit);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.Client.SendAsync(request).WaitAsync(AuthTestHost.AwaitLimit);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(user.Id, (await response.Content.ReadFromJsonAsync<UserIdResponse>().WaitAsync(AuthTestHost.AwaitLimit))!.UserId);
    }

    [Fact]
    public async Task Without_a_configured_signing_key_it_refuses_and_says_which_setting()
    {
        using var folder = new TemporaryFolder();
        await using var command = ServiceProcess.Start(folder.Path, Settings(signingKey: null), "token", "--email", "eve@example.com");

        Assert.Equal(1, await command.WaitForExitAsync(ExitTimeout));
        Assert.Contains("Auth:SigningKey", command.Error, StringComparison.Ordinal);
        Assert.Equal("", command.Output.Trim());
    }

    [Fact]
    public async Task Without_an_email_it_shows_the_usage_and_fails()
    {
        using var folder = new TemporaryFolder();
        await using var command = ServiceProcess.Start(folder.Path, Settings(AuthTestHost.SigningKey), "token");

        Assert.NotEqual(0, await command.WaitForExitAsync(ExitTimeout));
        Assert.Contains("--email", command.Error + command.Output, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Settings(string? signingKey)
    {
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Coach"] = database.Connections.Owner,
            ["ConnectionStrings__CoachApp"] = database.Connections.App,
        };
        if (signingKey is not null)
        {
            settings["Auth__SigningKey"] = signingKey;
        }

        return settings;
    }
}
