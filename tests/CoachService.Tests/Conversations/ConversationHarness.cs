using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using CoachService.Conversations;
using CoachService.Testing;
using CoachService.Testing.SignalR;
using CoachService.Tests.Service;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Conversations;

/// <summary>
/// The whole service for conversation tests: the real host on loopback with the test database, the
/// openai provider (or another one the caller sets up) pointed at an in-process fake LLM server
/// (WireMock.Net) that answers each task by its JSON-schema name, and real WebSocket SignalR clients for users made through /dev/token.
/// </summary>
internal sealed class ConversationHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ConversationHarness(FakeLlmServer llm, CoachApp app)
    {
        Llm = llm;
        App = app;
    }

    public FakeLlmServer Llm { get; }

    public CoachApp App { get; }

    /// <summary>The coach's streamed reply for a text turn; tests may replace it.</summary>
    public Func<FakeRequest, FakeResponse> CoachReply { get; set; } =
        _ => FakeResponse.Reply("That sounds like a full week. What would help most right now? Let us find one small step together.");

    /// <summary>The safety screen's verdict: a crisis when the message says one of these.</summary>
    public static readonly string[] CrisisPhrases = ["end my life", "kill myself"];

    /// <param name="settings">Settings over the defaults (openai provider on the fake server's BaseUrl).</param>
    /// <param name="llmOptions">The fake server's dialect and base path.</param>
    /// <param name="llmSettings">Settings that need the started fake server, e.g. an Azure endpoint on it.</param>
    /// <param name="services">Test-only registrations over the app's own (hooks such as a connection dropper).</param>
    public static async Task<ConversationHarness> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        bool captureLogs = false,
        FakeLlmServerOptions? llmOptions = null,
        Func<FakeLlmServer, IReadOnlyDictionary<string, string?>>? llmSettings = null,
        Func<CoachTestDatabase, IReadOnlyDictionary<string, string?>>? databaseSettings = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var llm = await FakeLlmServer.StartAsync(llmOptions);
        var all = new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "openai",
            ["Llm:Endpoint"] = llm.BaseUrl.ToString(),
            ["Llm:Model"] = "fake-model",
            ["Llm:Resilience:MaxRetryAttempts"] = "0",
        };
        foreach (var (key, value) in (settings ?? new Dictionary<string, string?>()).Concat(llmSettings?.Invoke(llm) ?? new Dictionary<string, string?>()))
        {
            all[key] = value;
        }

        var app = await CoachApp.StartAsync(all, captureLogs, services, databaseSettings);
        var harness = new ConversationHarness(llm, app);
        llm.Handler = harness.Answer;
        return harness;
    }

    /// <summary>Requests for the streamed text tasks (coach replies and assessment questions).</summary>
    public IReadOnlyList<FakeRequest> TextRequests => Llm.Requests.Where(r => TaskOf(r) is null).ToList();

    public IReadOnlyList<FakeRequest> RequestsFor(string task) => Llm.Requests.Where(r => TaskOf(r) == task).ToList();

    public async Task<CoachClient> ConnectAsync(string email, string? name = null)
    {
        using var http = App.CreateClient();
        var response = await http.PostAsJsonAsync("/dev/token", new { email, name = name ?? email.Split('@')[0], timezone = "Europe/Lisbon" });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        var client = new CoachClient(App.BaseAddress, token.GetProperty("access_token").GetString()!, Guid.Parse(token.GetProperty("user_id").GetString()!));
        await client.ConnectAsync();
        return client;
    }

    private FakeResponse Answer(FakeRequest request) => Answer(request, CoachReply);

    /// <summary>Answers each task by its JSON-schema name; a streamed text task gets <paramref name="coachReply"/>.</summary>
    public static FakeResponse Answer(FakeRequest request, Func<FakeRequest, FakeResponse> coachReply)
    {
        var lastUser = request.Messages.LastOrDefault(m => m.Role == "user").Content ?? "";
        return TaskOf(request) switch
        {
            "safety_screen" => FakeResponse.Json(CrisisPhrases.Any(p => lastUser.Contains(p, StringComparison.OrdinalIgnoreCase))
                ? new { risk_level = "crisis", is_crisis = true, categories = new[] { "suicidal_ideation" }, rationale = "Explicit intent to end life." }
                : new { risk_level = "none", is_crisis = false, categories = Array.Empty<string>(), rationale = "No risk indicators." }),
            "emotional_snapshot" => FakeResponse.Json(new { emotions = new[] { new { emotion = "hopeful", intensity = 3, color = "#FFCC00", confidence = 0.8 } } }),
            "session_summary" => FakeResponse.Json(new
            {
                virtue = new { name = "courage", description = "You looked straight at what was hard." },
                key_insights = new[] { new { insight = "Saying no protects the mornings.", category = "work_life_balance", importance = 4 } },
            }),
            "goal_suggestions" => FakeResponse.Json(new
            {
                goals = new[]
                {
                    new { category = "health", description = "Walk before work", smart_goal = "Walk 20 minutes before work on 4 days a week for the next 2 weeks", timeframe = "2 weeks", priority = 3 },
                },
            }),
            "assessment_scoring" => FakeResponse.Json(new
            {
                disc_type = "D",
                disc_scores = new { d = 0.7, i = 0.1, s = 0.1, c = 0.1 },
                enneagram_type = 3,
                enneagram_wing = 4,
                enneagram_scores = new[] { 0.1, 0.1, 0.5, 0.1, 0.05, 0.05, 0.04, 0.03, 0.03 },
                confidence = 0.72,
                insights = new[] { "Drives towards results." },
            }),
            _ => coachReply(request),
        };
    }

    public static string? TaskOf(FakeRequest request) =>
        request.Body.TryGetProperty("response_format", out var format) && format.TryGetProperty("json_schema", out var schema)
            ? schema.GetProperty("name").GetString()
            : null;

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

/// <summary>A signed-in user's hub connection that records every event the service sends.</summary>
/// <param name="server">The instance it connects to (and reconnects to).</param>
internal sealed class CoachClient(Uri server, string token, Guid userId) : IAsyncDisposable
{
    private HubConnection connection = null!;

    public Guid UserId { get; } = userId;

    public string Token { get; } = token;

    public Channel<ReplyChunk> Chunks { get; private set; } = Channel.CreateUnbounded<ReplyChunk>();

    public ConcurrentQueue<TurnCompleted> Completed { get; } = new();

    public ConcurrentQueue<TurnFailed> Failed { get; } = new();

    public ConcurrentQueue<TurnEmotions> Emotions { get; } = new();

    public ConcurrentQueue<OnboardingCompleted> Onboarded { get; } = new();

    public HubConnection Connection => connection;

    public async Task ConnectAsync()
    {
        connection = CoachHubConnections.Create(server, "/hubs/coach", () => Task.FromResult<string?>(Token),
            json => json.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        connection.On<ReplyChunk>("ReplyChunk", chunk => Chunks.Writer.TryWrite(chunk));
        connection.On<TurnCompleted>("TurnCompleted", Completed.Enqueue);
        connection.On<TurnFailed>("TurnFailed", Failed.Enqueue);
        connection.On<TurnEmotions>("EmotionalSnapshot", Emotions.Enqueue);
        connection.On<OnboardingCompleted>("OnboardingCompleted", Onboarded.Enqueue);
        await connection.StartAsync().WaitAsync(ConversationHarness.Timeout);
    }

    public Task<T> InvokeAsync<T>(string method, params object?[] args) =>
        connection.InvokeCoreAsync<T>(method, args).WaitAsync(ConversationHarness.Timeout);

    public Task<SessionStarted> StartSessionAsync(string type = "face_to_face", string? persona = null) =>
        InvokeAsync<SessionStarted>("StartSession", new { session_type = type, persona });

    public Task<TurnAccepted> SendTurnAsync(Guid session, string turnId, string text) =>
        InvokeAsync<TurnAccepted>("SendTurn", session, turnId, text);

    /// <summary>Sends a turn and waits for its stored reply.</summary>
    public async Task<TurnCompleted> TalkAsync(Guid session, string turnId, string text)
    {
        var accepted = await SendTurnAsync(session, turnId, text);
        return accepted.Reply ?? await WaitForAsync(() => Completed.FirstOrDefault(c => c.TurnId == turnId));
    }

    /// <summary>Reads the next <paramref name="count"/> chunks of a turn (skipping other turns').</summary>
    public async Task<List<ReplyChunk>> ReadChunksAsync(string turnId, int count)
    {
        var chunks = new List<ReplyChunk>();
        using var timeout = new CancellationTokenSource(ConversationHarness.Timeout);
        while (chunks.Count < count)
        {
            var chunk = await Chunks.Reader.ReadAsync(timeout.Token);
            if (chunk.TurnId == turnId)
            {
                chunks.Add(chunk);
            }
        }

        return chunks;
    }

    public static async Task<T> WaitForAsync<T>(Func<T?> probe)
    {
        var deadline = DateTime.UtcNow + ConversationHarness.Timeout;
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {ConversationHarness.Timeout} for {typeof(T).Name}");
            }

            await Task.Delay(20);
        }
    }

    public async Task StopAsync() => await connection.StopAsync().WaitAsync(ConversationHarness.Timeout);

    public async ValueTask DisposeAsync() => await connection.DisposeAsync();
}
