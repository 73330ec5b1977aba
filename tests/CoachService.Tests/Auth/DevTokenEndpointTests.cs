using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoachService.Api.Auth;
using CoachService.Persistence;
using CoachService.Testing;
using CoachService.Users;

namespace CoachService.Tests.Auth;

public sealed class DevTokenEndpointTests : IAsyncLifetime
{
    private static readonly TimeSpan AwaitLimit = AuthTestHost.AwaitLimit;
    private CoachTestDatabase database = null!;
    private AuthTestHost host = null!;

    public async Task InitializeAsync()
    {
        database = await CoachTestDatabase.CreateAsync().WaitAsync(TimeSpan.FromMinutes(2));
        host = await AuthTestHost.StartAsync(
            "Development",
            services: s => s.AddCoachPersistence(database.Connections, database.Encryption).AddCoachDomain(),
            endpoints: app => app.MapDevTokenEndpoint()).WaitAsync(AwaitLimit);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task The_same_address_signs_in_as_the_same_user_with_a_working_token()
    {
        var first = await SignInAsync(new { email = "ana@example.com", name = "Ana", timezone = "Europe/Lisbon", preferred_language = "pt" });
        var second = await SignInAsync(new { email = "  Ana@Example.COM " });

        Assert.Equal(first.UserId, second.UserId);
        Assert.Equal("Bearer", first.TokenType);
        Assert.Equal(12 * 3600, first.ExpiresIn);
        Assert.Equal(first.UserId, await WhoAmIAsync(second.AccessToken));

        // Created once, from the first request.
        var user = await host.Get<UserAccounts>().FindAsync(first.UserId).WaitAsync(AwaitLimit);
        Assert.NotNull(user);
        Assert.Equal(("ana@example.com", "Ana", "Europe/Lisbon", "pt"), (user.Email, user.Name, user.Timezone, user.PreferredLanguage));
    }

    [Fact]
    public async Task Different_addresses_are_different_users()
    {
        var ana = await SignInAsync(new { email = "ana.dev@example.com" });
        var ben = await SignInAsync(new { email = "ben.dev@example.com" });

        Assert.NotEqual(ana.UserId, ben.UserId);
        Assert.Equal(ben.UserId, await WhoAmIAsync(ben.AccessToken));
    }

    [Fact]
    public async Task An_address_registered_some_other_way_is_a_conflict()
    {
        await host.Get<UserAccounts>().CreateAsync(new NewUser("taken@example.com")).WaitAsync(AwaitLimit);

        using var response = await host.Client.PostAsJsonAsync("/dev/token", new { email = "taken@example.com" }).WaitAsync(AwaitLimit);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("email is already registered", await response.Content.ReadAsStringAsync().WaitAsync(AwaitLimit), StringComparison.Ordinal);
    }

    [Fact]
    public void Dev_user_ids_are_name_based_version_8_uuids()
    {
        var id = UserIds.FromEmail("Ana@Example.com ");

        Assert.Equal(id, UserIds.FromEmail("ana@example.com"));
        Assert.NotEqual(id, UserIds.FromEmail("ana@example.org"));
        Assert.Equal(8, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
    }

    [Theory]
    [InlineData("{}", "email")]
    [InlineData("""{"email":"not-an-address"}""", "email")]
    [InlineData("""{"email":"tz@example.com","timezone":"Mars/Olympus_Mons"}""", "timezone")]
    [InlineData("""{"email":"lang@example.com","preferred_language":"tlh"}""", "preferred_language")]
    public async Task Bad_input_is_a_validation_problem_naming_the_field(string json, string field)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync("/dev/token", content).WaitAsync(AwaitLimit);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(AwaitLimit));
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Outside_Development_the_endpoint_cannot_be_mapped_and_does_not_exist()
    {
        Exception? refusal = null;
        await using var production = await AuthTestHost.StartAsync("Production", endpoints: app =>
        {
            refusal = Record.Exception(() => app.MapDevTokenEndpoint());
        }).WaitAsync(AwaitLimit);

        using var response = await production.Client.PostAsJsonAsync("/dev/token", new { email = "ana@example.com" }).WaitAsync(AwaitLimit);

        Assert.IsType<InvalidOperationException>(refusal);
        Assert.Contains("Production", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<DevTokenResponse> SignInAsync(object body)
    {
        using var response = await host.Client.PostAsJsonAsync("/dev/token", body).WaitAsync(AwaitLimit);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DevTokenResponse>().WaitAsync(AwaitLimit))!;
    }

    private async Task<Guid> WhoAmIAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.Client.SendAsync(request).WaitAsync(AwaitLimit);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UserIdResponse>().WaitAsync(AwaitLimit))!.UserId;
    }
}
