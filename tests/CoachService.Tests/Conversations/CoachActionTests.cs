using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CoachService.Conversations;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Testing.SignalR;
using CoachService.Tests.Service;
using CoachService.Wellbeing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Conversations;

/// <summary>
/// The coach acting on the user's goals and moods through its plugin, on the real host: a scripted
/// model (or the offline engine) asks for a tool, the change lands in the user's rows, the client
/// hears a CoachAction event, and the stored reply confirms it and records the action.
/// </summary>
public sealed class CoachActionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AReportedProgressChangesTheGoalTellsTheClientAndTheReplyConfirmsIt()
    {
        var model = new ToolModel();
        await using var app = await CoachApp.StartAsync(services: s => s.AddSingleton<IChatClient>(model.Client));
        await using var ana = await ActingUser.ConnectAsync(app, "ana");
        var goal = await app.Services.GetRequiredService<GoalBook>().CreateAsync(ana.UserId, new NewGoal("Run three times a week")).WaitAsync(Timeout);
        model.Script = (request, round) => round == 0
            ? ToolModel.Call(request, "record_goal_progress", new() { ["goalId"] = goal.Id.ToString(), ["progressPercentage"] = 40 })
            : ToolModel.Text("Great running! Your goal is now at 40 percent.");

        var completed = await ana.TalkAsync("I ran three times this week.");

        Assert.Equal("Great running! Your goal is now at 40 percent.", completed.Content);
        Assert.Equal(40, (await app.Services.GetRequiredService<GoalBook>().FindAsync(ana.UserId, goal.Id))!.ProgressPercentage);
        var action = Assert.Single(ana.Actions);
        Assert.Equal(new CoachAction(GoalsPlugin.RecordProgress, goal.Id, "Run three times a week", 40), action.Action);
        Assert.Equal(completed.TurnId, action.TurnId);
        var stored = await ana.StoredReplyAsync(app, completed);
        Assert.Equal([action.Action], stored.Actions!);
        // The model saw the tool's result before it wrote the confirmation.
        var result = model.ReplyRequests[1].Messages.SelectMany(m => m.Contents).OfType<Microsoft.Extensions.AI.FunctionResultContent>().Single();
        Assert.Contains("\"progress_percentage\":40", JsonSerializer.Serialize(result.Result), StringComparison.Ordinal);
        Assert.Equal(2, model.ReplyRequests.Count);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task AnotherUsersGoalIsNotFoundToTheModelAndStaysUnchanged()
    {
        var model = new ToolModel();
        await using var app = await CoachApp.StartAsync(services: s => s.AddSingleton<IChatClient>(model.Client));
        await using var ana = await ActingUser.ConnectAsync(app, "ana");
        await using var bo = await ActingUser.ConnectAsync(app, "bo");
        var bosGoal = await app.Services.GetRequiredService<GoalBook>().CreateAsync(bo.UserId, new NewGoal("Run a marathon")).WaitAsync(Timeout);
        model.Script = (request, round) => round == 0
            ? ToolModel.Call(request, "record_goal_progress", new() { ["goalId"] = bosGoal.Id.ToString(), ["progressPercentage"] = 90 })
            : ToolModel.Text("I could not find that goal.");

        var completed = await ana.TalkAsync("I ran three times this week.");

        Assert.Equal("I could not find that goal.", completed.Content);
        Assert.Equal(0, (await app.Services.GetRequiredService<GoalBook>().FindAsync(bo.UserId, bosGoal.Id))!.ProgressPercentage);
        Assert.Empty(bo.Actions);
        var result = model.ReplyRequests[1].Messages.SelectMany(m => m.Contents).OfType<Microsoft.Extensions.AI.FunctionResultContent>().Single();
        var error = $"no goal of the user has the id '{bosGoal.Id}'";
        Assert.Equal(error, JsonSerializer.SerializeToElement(result.Result).GetProperty("error").GetString());
        // The attempt is on record as refused, without anything of Bo's goal but the id the model named.
        var refused = new CoachAction(GoalsPlugin.RecordProgress, bosGoal.Id, Goal: null, ProgressPercentage: 90, Outcome: CoachActionOutcome.Refused, Error: error);
        Assert.Equal([refused], ana.Actions.Select(a => a.Action));
        Assert.Equal([refused], (await ana.StoredReplyAsync(app, completed)).Actions!);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task AToolErrorGoesBackToTheModelAndNeverToTheUser()
    {
        var model = new ToolModel();
        await using var app = await CoachApp.StartAsync(services: s => s.AddSingleton<IChatClient>(model.Client));
        await using var ana = await ActingUser.ConnectAsync(app, "ana");
        var goal = await app.Services.GetRequiredService<GoalBook>().CreateAsync(ana.UserId, new NewGoal("Walk daily")).WaitAsync(Timeout);
        model.Script = (request, round) => round switch
        {
            // An argument the method cannot bind (the function throws), then a value the domain refuses.
            0 => ToolModel.Call(request, "record_goal_progress", new() { ["goalId"] = goal.Id.ToString() }),
            1 => ToolModel.Call(request, "record_goal_progress", new() { ["goalId"] = goal.Id.ToString(), ["progressPercentage"] = 150 }),
            _ => ToolModel.Text("Sorry, I could not update that goal."),
        };

        var completed = await ana.TalkAsync("I walked every day this week.");

        Assert.Equal("Sorry, I could not update that goal.", completed.Content);
        Assert.Empty(ana.Failed);
        // The domain's refusal is recorded; the call that could not even bind its arguments never reached the plugin.
        var refused = CoachAction.Refused(GoalsPlugin.RecordProgress, "progress_percentage must be between 0 and 100", goal.Id, 150);
        Assert.Equal([refused], ana.Actions.Select(a => a.Action));
        Assert.Equal([refused], (await ana.StoredReplyAsync(app, completed)).Actions!);
        var results = model.ReplyRequests[2].Messages.SelectMany(m => m.Contents).OfType<Microsoft.Extensions.AI.FunctionResultContent>().ToList();
        Assert.Equal(2, results.Count);
        Assert.NotNull(results[0].Exception);
        Assert.Equal("progress_percentage must be between 0 and 100", JsonSerializer.SerializeToElement(results[1].Result).GetProperty("error").GetString());
        Assert.DoesNotContain("Exception", completed.Content, StringComparison.Ordinal);
        Assert.Equal(0, (await app.Services.GetRequiredService<GoalBook>().FindAsync(ana.UserId, goal.Id))!.ProgressPercentage);
    }

    [Fact]
    public async Task ASpeculativeReplyActsOnlyOnceAFinalAdoptsIt()
    {
        var model = new ToolModel();
        var settings = new Dictionary<string, string?> { ["Preemptive:QuietTime"] = "00:00:10" };
        await using var app = await CoachApp.StartAsync(settings, services: s => s.AddSingleton<IChatClient>(model.Client));
        await using var ana = await ActingUser.ConnectAsync(app, "ana");
        model.Script = (request, round) => round == 0 && request.Messages.Last(m => m.Role == ChatRole.User).Text.Contains("good", StringComparison.Ordinal)
            ? ToolModel.Call(request, "log_mood", new() { ["mood"] = "good", ["intensity"] = 8 })
            : ToolModel.Text("Noted.");
        var journal = app.Services.GetRequiredService<MoodJournal>();

        // The speculation asks for the tool, which waits; a different final discards it: nothing was logged.
        await ana.StablePartialAsync("I feel good today");
        await CoachClient.WaitForAsync(() => model.ReplyRequests.Count == 1 ? "asked" : null);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Empty(await journal.ListAsync(ana.UserId));
        await ana.TalkAsync("I feel bad today, actually.");
        Assert.Empty(await journal.ListAsync(ana.UserId));
        Assert.Empty(ana.Actions);

        // A matching final adopts it: the held call runs for the turn, is sent and stored with the reply.
        await ana.StablePartialAsync("I feel good today");
        await CoachClient.WaitForAsync(() => model.ReplyRequests.Count == 3 ? "asked" : null);
        var completed = await ana.TalkAsync("I feel good today.");
        var action = Assert.Single(ana.Actions).Action;
        Assert.Equal((MoodPlugin.LogMood, CoachActionOutcome.Done), (action.Function, action.Outcome));
        Assert.Single(await journal.ListAsync(ana.UserId));
        Assert.Equal([action], (await ana.StoredReplyAsync(app, completed)).Actions!);
        Assert.Equal(4, model.ReplyRequests.Count); // the adopted reply's two rounds, no third
    }

    [Fact]
    public async Task AMoodTheDomainRefusesIsRecordedAsRefusedAndNothingIsLogged()
    {
        var model = new ToolModel();
        await using var app = await CoachApp.StartAsync(services: s => s.AddSingleton<IChatClient>(model.Client));
        await using var ana = await ActingUser.ConnectAsync(app, "ana");
        model.Script = (request, round) => round == 0
            ? ToolModel.Call(request, "log_mood", new() { ["mood"] = "great", ["intensity"] = 12 })
            : ToolModel.Text("I could not log that one.");

        var completed = await ana.TalkAsync("I feel 12 out of 10!");

        var action = Assert.Single(ana.Actions).Action;
        Assert.Equal((MoodPlugin.LogMood, CoachActionOutcome.Refused, "great", 12), (action.Function, action.Outcome, action.Mood, action.Intensity));
        Assert.False(string.IsNullOrEmpty(action.Error));
        Assert.Equal([action], (await ana.StoredReplyAsync(app, completed)).Actions!);
        Assert.Empty(await app.Services.GetRequiredService<MoodJournal>().ListAsync(ana.UserId));
    }

    [Fact]
    public async Task AClientThatComesBackSeesTheActionsInTheHistoryOverTheHubAndRest()
    {
        var model = new ToolModel();
        await using var app = await CoachApp.StartAsync(services: s => s.AddSingleton<IChatClient>(model.Client));
        await using var ana = await ActingUser.ConnectAsync(app, "ana");
        var goal = await app.Services.GetRequiredService<GoalBook>().CreateAsync(ana.UserId, new NewGoal("Run three times a week")).WaitAsync(Timeout);
        model.Script = (request, round) => round == 0
            ? ToolModel.Call(request, "record_goal_progress", new() { ["goalId"] = goal.Id.ToString(), ["progressPercentage"] = 40 })
            : ToolModel.Text("Great running!");
        await ana.TalkAsync("I ran three times this week.");
        var expected = new CoachAction(GoalsPlugin.RecordProgress, goal.Id, "Run three times a week", 40);

        var resumed = await ana.ResumeAsync();
        var rest = await ana.SessionDetailAsync(app);

        Assert.Equal([[], [expected]], resumed.Messages.Select(m => m.Actions.ToList()));
        var messages = rest.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(0, messages[0].GetProperty("actions").GetArrayLength());
        var action = Assert.Single(messages[1].GetProperty("actions").EnumerateArray().ToList());
        Assert.Equal(("goals.record_goal_progress", goal.Id.ToString(), 40, "done"), (
            action.GetProperty("function").GetString(), action.GetProperty("goal_id").GetString(),
            action.GetProperty("progress_percentage").GetInt32(), action.GetProperty("outcome").GetString()));
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task AtMostTwoToolRoundTripsThenTheReplyIsWrittenWithoutTools()
    {
        var model = new ToolModel();
        await using var app = await CoachApp.StartAsync(services: s => s.AddSingleton<IChatClient>(model.Client));
        await using var ana = await ActingUser.ConnectAsync(app, "ana");
        // A model that would call tools forever.
        model.Script = (request, _) => request.Options?.Tools is { Count: > 0 }
            ? ToolModel.Call(request, "list_active_goals", [])
            : ToolModel.Text("Let us talk about your goals.");

        var completed = await ana.TalkAsync("What are my goals?");

        Assert.Equal("Let us talk about your goals.", completed.Content);
        Assert.Equal(CoachKernel.MaxToolRoundTrips + 1, model.ReplyRequests.Count);
        Assert.All(model.ReplyRequests.Take(CoachKernel.MaxToolRoundTrips), r => Assert.NotEmpty(r.Options!.Tools!));
        Assert.True(model.ReplyRequests[^1].Options!.Tools is null or { Count: 0 });
    }

    [Fact]
    public async Task ATurnThatNeedsNoToolMakesExactlyOneRequest()
    {
        var model = new ToolModel { Script = (_, _) => ToolModel.Text("That sounds like a good day.") };
        await using var app = await CoachApp.StartAsync(services: s => s.AddSingleton<IChatClient>(model.Client));
        await using var ana = await ActingUser.ConnectAsync(app, "ana");

        var completed = await ana.TalkAsync("Today was calm.");

        Assert.Equal("That sounds like a good day.", completed.Content);
        var request = Assert.Single(model.ReplyRequests);
        Assert.NotEmpty(request.Options!.Tools!); // offered, not used
        Assert.Empty(ana.Actions);
    }

    [Fact]
    public async Task OfflineAProgressReportAndAMoodAreRecordedAndConfirmed()
    {
        await using var app = await CoachApp.StartAsync(new Dictionary<string, string?> { ["Llm:Offline:WordDelay"] = "00:00:00" });
        await using var ana = await ActingUser.ConnectAsync(app, "ana");
        var goals = app.Services.GetRequiredService<GoalBook>();
        var running = await goals.CreateAsync(ana.UserId, new NewGoal("Run three times a week")).WaitAsync(Timeout);
        var other = await goals.CreateAsync(ana.UserId, new NewGoal("Call my sister once a week")).WaitAsync(Timeout);

        var progress = await ana.TalkAsync("I ran three times this week.");
        var mood = await ana.TalkAsync("I feel 4 out of 5 today.");
        var plain = await ana.TalkAsync("Work was busy.");

        Assert.Contains("\"Run three times a week\": it is now at 10 percent", progress.Content, StringComparison.Ordinal);
        Assert.Equal(10, (await goals.FindAsync(ana.UserId, running.Id))!.ProgressPercentage);
        Assert.Equal(0, (await goals.FindAsync(ana.UserId, other.Id))!.ProgressPercentage);
        Assert.Contains("logged your mood as good, 8 out of 10", mood.Content, StringComparison.Ordinal);
        var checkIn = Assert.Single(await app.Services.GetRequiredService<MoodJournal>().ListAsync(ana.UserId));
        Assert.Equal(("good", 8), (checkIn.Mood, checkIn.Intensity));
        await CoachClientWait.UntilAsync(() => ana.Actions.Count >= 2);
        Assert.Equal(
            [new CoachAction(GoalsPlugin.RecordProgress, running.Id, "Run three times a week", 10), new CoachAction(MoodPlugin.LogMood, Mood: "good", Intensity: 8)],
            ana.Actions.Select(a => a.Action));
        Assert.Null((await ana.StoredReplyAsync(app, plain)).Actions);
        Assert.Single((await ana.StoredReplyAsync(app, mood)).Actions!);
    }
}

/// <summary>A scripted model for coach replies that may call tools; the other tasks get fixed valid answers.</summary>
internal sealed class ToolModel
{
    private readonly ConcurrentQueue<ChatRequest> _replies = new();

    public ToolModel()
    {
        Client = new ScriptedChatClient
        {
            OnResponse = (request, _) => Task.FromResult(Structured(request)),
            OnStreamingResponse = Stream,
        };
    }

    public ScriptedChatClient Client { get; }

    /// <summary>The coach reply's answer to its n-th request in the turn (0 = first).</summary>
    public Func<ChatRequest, int, ChatResponse> Script { get; set; } = (_, _) => Text("Okay.");

    /// <summary>The coach reply requests, in order.</summary>
    public IReadOnlyList<ChatRequest> ReplyRequests => [.. _replies];

    public static ChatResponse Text(string text) =>
        new(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = ChatFinishReason.Stop, ModelId = "scripted" };

    /// <summary>A call of the offered tool whose name ends with <paramref name="function"/>.</summary>
    public static ChatResponse Call(ChatRequest request, string function, Dictionary<string, object?> arguments)
    {
        var tool = request.Options!.Tools!.Single(t => t.Name.EndsWith(function, StringComparison.Ordinal));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, [new Microsoft.Extensions.AI.FunctionCallContent("call-" + Guid.NewGuid().ToString("N")[..8], tool.Name, arguments)]))
        {
            FinishReason = ChatFinishReason.ToolCalls,
            ModelId = "scripted",
        };
    }

    private async IAsyncEnumerable<ChatResponseUpdate> Stream(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Rounds count within one turn: a round is a request after the turn's last user message.
        var round = request.Messages.SkipWhile(m => m != request.Messages.Last(x => x.Role == ChatRole.User)).Count(m => m.Role == ChatRole.Tool);
        _replies.Enqueue(request);
        await Task.Yield();
        foreach (var update in Script(request, round).ToChatResponseUpdates())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }
    }

    private static ChatResponse Structured(ChatRequest request) =>
        (request.Options?.AdditionalProperties?[CoachChatOptionKeys.Task] as string) switch
        {
            CoachTask.SafetyScreen => Text("""{"risk_level":"none","is_crisis":false,"categories":[],"rationale":"No risk indicators."}"""),
            CoachTask.EmotionalSnapshot => Text("""{"emotions":[{"emotion":"hopeful","intensity":3,"color":"#FFCC00","confidence":0.8}]}"""),
            var task => throw new InvalidOperationException($"No scripted answer for {task}."),
        };
}

/// <summary>A signed-in user's hub connection in a face-to-face session, recording the events it receives.</summary>
internal sealed class ActingUser : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly ConcurrentQueue<TurnCompleted> _completed = new();
    private readonly ConcurrentQueue<TurnAction> _actions = new();
    private readonly ConcurrentQueue<TurnFailed> _failed = new();
    private readonly string _token;
    private Guid _session;
    private int _turns;

    private ActingUser(HubConnection connection, Guid userId, string token)
    {
        _connection = connection;
        UserId = userId;
        _token = token;
        connection.On<TurnCompleted>("TurnCompleted", _completed.Enqueue);
        connection.On<TurnAction>("CoachAction", _actions.Enqueue);
        connection.On<TurnFailed>("TurnFailed", _failed.Enqueue);
    }

    public Guid UserId { get; }

    public IReadOnlyList<TurnAction> Actions => [.. _actions];

    public IReadOnlyList<TurnFailed> Failed => [.. _failed];

    public static async Task<ActingUser> ConnectAsync(CoachApp app, string name)
    {
        using var http = app.CreateClient();
        var response = await http.PostAsJsonAsync("/dev/token", new { email = $"{name}.{Guid.NewGuid():N}@example.com", name, timezone = "UTC" });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        var accessToken = token.GetProperty("access_token").GetString()!;
        var connection = CoachHubConnections.Create(app.BaseAddress, "/hubs/coach", () => Task.FromResult<string?>(accessToken),
            json => json.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        var user = new ActingUser(connection, Guid.Parse(token.GetProperty("user_id").GetString()!), accessToken);
        await connection.StartAsync().WaitAsync(ConversationHarness.Timeout);
        var session = await connection.InvokeCoreAsync<SessionStarted>("StartSession", [new { session_type = "face_to_face" }]).WaitAsync(ConversationHarness.Timeout);
        user._session = session.SessionId;
        return user;
    }

    /// <summary>Sends a turn and waits for its stored reply.</summary>
    public async Task<TurnCompleted> TalkAsync(string text)
    {
        var turnId = $"turn-{Interlocked.Increment(ref _turns)}";
        await _connection.InvokeCoreAsync<TurnAccepted>("SendTurn", [_session, turnId, text]).WaitAsync(ConversationHarness.Timeout);
        return await CoachClient.WaitForAsync(() => _completed.FirstOrDefault(c => c.TurnId == turnId));
    }

    /// <summary>A partial transcript marked stable: the reply may start speculatively.</summary>
    public Task StablePartialAsync(string text) =>
        _connection.InvokeCoreAsync<object?>("SendPartialTranscript", [_session, text, true]).WaitAsync(ConversationHarness.Timeout);

    /// <summary>The hub's ResumeSession from the start of the session.</summary>
    public Task<SessionResumed> ResumeAsync() =>
        _connection.InvokeCoreAsync<SessionResumed>("ResumeSession", [_session, 0]).WaitAsync(ConversationHarness.Timeout);

    /// <summary>The REST session detail, as JSON.</summary>
    public async Task<JsonElement> SessionDetailAsync(CoachApp app)
    {
        using var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
        return await http.GetFromJsonAsync<JsonElement>($"/api/sessions/{_session}").WaitAsync(ConversationHarness.Timeout);
    }

    public Task<Message> StoredReplyAsync(CoachApp app, TurnCompleted reply) =>
        app.Services.GetRequiredService<CoachDatabase>().ForUserAsync(UserId, db =>
            db.Messages.AsNoTracking().SingleAsync(m => m.SessionId == reply.SessionId && m.SequenceNumber == reply.Sequence));

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}

internal static class CoachClientWait
{
    public static Task UntilAsync(Func<bool> probe) => CoachClient.WaitForAsync(() => probe() ? (object)true : null);
}
