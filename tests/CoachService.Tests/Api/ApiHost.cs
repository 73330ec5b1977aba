using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using CoachService.Api.Auth;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Profiles;
using CoachService.Progress;
using CoachService.Sessions;
using CoachService.Tests.Service;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Api;

/// <summary>One real service for all API tests; every test signs in as its own fresh users.</summary>
public sealed class ApiHost : IAsyncLifetime
{
    public static readonly TimeSpan AwaitLimit = TimeSpan.FromSeconds(30);

    private CoachApp app = null!;

    public async Task InitializeAsync() => app = await CoachApp.StartAsync().WaitAsync(TimeSpan.FromMinutes(2));

    public async Task DisposeAsync() => await app.DisposeAsync();

    public T Get<T>() where T : notnull => app.Services.GetRequiredService<T>();

    /// <summary>An HTTP client without a token.</summary>
    public HttpClient Anonymous()
    {
        var client = app.CreateClient();
        client.Timeout = AwaitLimit;
        return client;
    }

    /// <summary>Signs in through POST /dev/token as a new user; the client sends the token.</summary>
    public async Task<ApiUser> SignInAsync(string name, string timezone = "UTC")
    {
        var client = Anonymous();
        var email = $"{name.ToLowerInvariant()}.{Guid.NewGuid():N}@example.com";
        using var response = await client.PostAsJsonAsync("/dev/token", new { email, name, timezone }).WaitAsync(AwaitLimit);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<DevTokenResponse>().WaitAsync(AwaitLimit))!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return new ApiUser(token.UserId, email, client);
    }

    /// <summary>
    /// A completed session with four messages, two metrics, a snapshot, insights and two suggested
    /// goals, written through the domain services as the hub would.
    /// </summary>
    public async Task<Guid> CompletedSessionAsync(Guid userId, string virtue = "courage")
    {
        var session = await Get<CoachingSessions>().StartAsync(userId, "spoken_presence", CoachPersona.WiseMentor).WaitAsync(AwaitLimit);
        await Get<CoachDatabase>().ForUserAsync(userId, db =>
        {
            var turn = 0;
            (string Role, string Content)[] conversation =
            [
                ("user", "I keep putting off the hard conversation with my manager."),
                ("assistant", "What would you want your manager to understand?"),
                ("user", "That the deadlines are not realistic."),
                ("assistant", "Then let us plan how you will say that this week."),
            ];
            foreach (var (role, content) in conversation)
            {
                turn++;
                db.Messages.Add(new Message
                {
                    SessionId = session.Id, UserId = userId, SequenceNumber = turn, Role = role, Content = content,
                    ClientTurnId = $"turn-{(turn + 1) / 2}", CreatedAt = session.StartedAt.AddSeconds(turn),
                });
            }

            db.SessionMetrics.Add(new SessionMetric { SessionId = session.Id, UserId = userId, Name = "turns", Value = 2, Unit = "count", CalculatedAt = session.StartedAt });
            db.SessionMetrics.Add(new SessionMetric { SessionId = session.Id, UserId = userId, Name = "first_token_ms", Value = 420, Unit = "ms", CalculatedAt = session.StartedAt });
            return Task.CompletedTask;
        }).WaitAsync(AwaitLimit);
        await Get<SessionCompletion>().CompleteAsync(userId, session.Id, new SessionOutcome(
            new VirtueEarned(virtue, "Facing what is hard."),
            [new EmotionReading("anxious", 3, "#FFAA00", 0.8)],
            [new KeyInsight("Deadlines feel unrealistic", "work_life_balance", 4)],
            [
                new SuggestedGoal("career", "Talk to my manager about deadlines", "Book a 20-minute talk with my manager by Friday", "1 week", 1),
                new SuggestedGoal("mindfulness", "Breathe before meetings", "Take three slow breaths before each meeting for two weeks", "2 weeks", 2),
            ])).WaitAsync(AwaitLimit);
        return session.Id;
    }
}

/// <summary>A signed-in user and a client that carries their token.</summary>
public sealed record ApiUser(Guid Id, string Email, HttpClient Client)
{
    public Task<ApiAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ApiAnswer> SendAsync(HttpMethod method, string path, object? body = null) =>
        ApiAnswer.SendAsync(Client, method, path, body is null ? null : JsonContent.Create(body));

    public Task<ApiAnswer> SendRawAsync(HttpMethod method, string path, string json) =>
        ApiAnswer.SendAsync(Client, method, path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
}

/// <summary>A response read in full: status, headers and the JSON body (if any).</summary>
public sealed record ApiAnswer(HttpStatusCode Status, HttpResponseMessage Response, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    /// <summary>The fields a validation problem names.</summary>
    public IReadOnlyList<string> ErrorFields => Json.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();

    public static async Task<ApiAnswer> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var response = await client.SendAsync(request).WaitAsync(ApiHost.AwaitLimit);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(ApiHost.AwaitLimit);
        return new ApiAnswer(response.StatusCode, response, text);
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiHost>
{
    public const string Name = "api";
}
