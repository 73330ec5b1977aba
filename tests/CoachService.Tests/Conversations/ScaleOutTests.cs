using System.Net.Http.Json;
using System.Text.Json;
using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using CoachService.Tests.Service;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Conversations;

/// <summary>
/// Two instances of the service on one database and a local redis-server, as a load balancer without
/// sticky sessions would have a user's clients meet them: each failure the scale-out issue found, fixed.
/// </summary>
public sealed class ScaleOutTests
{
    private const string LongReply =
        "First, breathe for a moment. Second, notice where the tension sits. Third, name one thing you can drop today. " +
        "Fourth, tell someone about it. Fifth, plan tomorrow morning tonight. Sixth, rest.";

    private static readonly TimeSpan Timeout = ConversationHarness.Timeout;

    [Fact]
    public async Task A_reply_streamed_by_one_instance_is_interrupted_through_the_other()
    {
        await using var cluster = await TwoInstances.StartAsync();
        cluster.CoachReply = _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        var (onA, onB) = await cluster.ConnectBothAsync("scale-barge@example.com");
        var session = await onA.StartSessionAsync("spoken_presence");

        await onA.SendTurnAsync(session.SessionId, "t1", "I feel tense all the time.");
        var heard = string.Concat((await onA.ReadChunksAsync("t1", 3)).Select(c => c.Text));
        var interrupted = await onB.InvokeAsync<TurnInterrupted>("Interrupt", session.SessionId, "t1", new HeardPart(heard.Length, null));

        Assert.Equal(heard.TrimEnd(), interrupted.HeardContent);
        var request = Assert.Single(cluster.TextRequests);
        await request.Aborted.WaitAsync(Timeout); // A stopped the model call
        var completed = await CoachClient.WaitForAsync(() => onA.Completed.FirstOrDefault());
        Assert.True(completed.Interrupted);
        Assert.Equal(heard.TrimEnd(), completed.Content);
        var reply = await cluster.Database.Get<CoachDatabase>().ForUserAsync(onA.UserId, db => db.Messages.SingleAsync(m => m.Role == "assistant"));
        Assert.Equal(heard.TrimEnd(), reply.Content);
        Assert.True(reply.Interrupted);
    }

    [Fact]
    public async Task A_turn_repeated_on_the_other_instance_joins_the_reply_without_a_second_model_call()
    {
        await using var cluster = await TwoInstances.StartAsync();
        cluster.CoachReply = _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(100) };
        var (onA, onB) = await cluster.ConnectBothAsync("scale-join@example.com");
        var session = await onA.StartSessionAsync();

        var first = await onA.SendTurnAsync(session.SessionId, "t1", "Help me plan my week.");
        await onA.ReadChunksAsync("t1", 2);
        var repeat = await onB.SendTurnAsync(session.SessionId, "t1", "Help me plan my week.");

        Assert.Equal("streaming", repeat.State);
        Assert.Equal(first.UserSequence, repeat.UserSequence);
        var onBCompleted = await CoachClient.WaitForAsync(() => onB.Completed.FirstOrDefault(c => c.TurnId == "t1"));
        var onACompleted = await CoachClient.WaitForAsync(() => onA.Completed.FirstOrDefault(c => c.TurnId == "t1"));
        Assert.Equal(LongReply, onBCompleted.Content);
        Assert.Equal(onACompleted.Sequence, onBCompleted.Sequence);
        // B's client got every piece, the missed ones included, in order.
        var pieces = new List<ReplyChunk>();
        while (onB.Chunks.Reader.TryRead(out var chunk))
        {
            pieces.Add(chunk);
        }

        Assert.Equal(Enumerable.Range(1, pieces.Count), pieces.Select(c => c.Sequence));
        Assert.Equal(LongReply, string.Concat(pieces.Select(c => c.Text)));
        Assert.Single(cluster.TextRequests);
        Assert.Equal(1, await cluster.Database.Get<CoachDatabase>().ForUserAsync(onA.UserId, db => db.Messages.CountAsync(m => m.Role == "assistant")));
    }

    [Fact]
    public async Task A_join_on_the_instance_that_started_the_session_drops_the_request_it_sent_early_and_joins()
    {
        await using var cluster = await TwoInstances.StartAsync();
        cluster.CoachReply = _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        var (onA, onB) = await cluster.ConnectBothAsync("scale-carried@example.com");
        // B started the session, so B keeps its first turn's context (CarriedContexts); A answers that turn.
        var session = await onB.StartSessionAsync();
        await onA.SendTurnAsync(session.SessionId, "t1", "Walk me through it.");
        await onA.ReadChunksAsync("t1", 1);

        // B's join sends the request of its context before its unit finds the turn answered by A (held here, so
        // that the request surely reaches the model first), then drops it and joins A's reply.
        Task<TurnAccepted> join;
        var (owner, held) = await EarlyModelRequestTests.LockMessagesAsync(cluster.Database, "ACCESS EXCLUSIVE");
        await using (owner)
        {
            join = onB.SendTurnAsync(session.SessionId, "t1", "Walk me through it.");
            await CoachClient.WaitForAsync(() => cluster.TextRequests.Skip(1).FirstOrDefault());
            await held.CommitAsync();
        }

        Assert.Equal("streaming", (await join.WaitAsync(Timeout)).State);
        await cluster.TextRequests[1].Aborted.WaitAsync(Timeout);
        var completed = await CoachClient.WaitForAsync(() => onB.Completed.FirstOrDefault(c => c.TurnId == "t1"));
        Assert.Equal(LongReply, completed.Content);
        Assert.Equal(2, cluster.TextRequests.Count);
        Assert.False(cluster.TextRequests[0].WasAborted);
        Assert.Equal(1, await cluster.Database.Get<CoachDatabase>().ForUserAsync(onA.UserId, db => db.Messages.CountAsync(m => m.Role == "assistant")));
    }

    [Fact]
    public async Task Ending_the_session_on_the_other_instance_stops_the_reply_before_the_session_completes()
    {
        await using var cluster = await TwoInstances.StartAsync();
        cluster.CoachReply = _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) };
        var (onA, onB) = await cluster.ConnectBothAsync("scale-end@example.com");
        var session = await onA.StartSessionAsync();
        await onA.SendTurnAsync(session.SessionId, "t1", "Let us talk about work.");
        await onA.ReadChunksAsync("t1", 2);

        var summary = await onB.InvokeAsync<SessionSummary>("EndSession", session.SessionId);

        Assert.Equal("completed", summary.Status);
        await Assert.Single(cluster.TextRequests).Aborted.WaitAsync(Timeout);
        var completed = await CoachClient.WaitForAsync(() => onA.Completed.FirstOrDefault());
        Assert.True(completed.Interrupted);
        // Nothing is written into the completed session afterwards.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var (messages, completedAt) = await cluster.Database.Get<CoachDatabase>().ForUserAsync(onA.UserId, async db =>
            (await db.Messages.OrderBy(m => m.SequenceNumber).ToListAsync(), (await db.Sessions.SingleAsync(s => s.Id == session.SessionId)).CompletedAt));
        Assert.Equal(["user", "assistant"], messages.Select(m => m.Role));
        Assert.All(messages, m => Assert.True(m.CreatedAt <= completedAt, "a message was stored after the session completed"));
        Assert.Equal(completed.Content, messages[1].Content);
    }

    [Fact]
    public async Task A_resume_on_the_other_instance_sees_the_turn_streaming_there()
    {
        await using var cluster = await TwoInstances.StartAsync();
        cluster.CoachReply = _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(100) };
        var (onA, onB) = await cluster.ConnectBothAsync("scale-resume@example.com");
        var session = await onA.StartSessionAsync();
        await onA.SendTurnAsync(session.SessionId, "t1", "What should I do first?");
        await onA.ReadChunksAsync("t1", 1);

        var during = await onB.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0);
        await CoachClient.WaitForAsync(() => onA.Completed.FirstOrDefault());
        var after = await onB.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0);

        Assert.Equal("t1", during.StreamingTurnId);
        Assert.Equal(["user"], during.Messages.Select(m => m.Role));
        Assert.Null(after.StreamingTurnId);
        Assert.Equal(["user", "assistant"], after.Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task The_rate_limit_counts_turns_on_both_instances_against_one_bucket()
    {
        await using var cluster = await TwoInstances.StartAsync(new Dictionary<string, string?>
        {
            ["Coaching:TurnBurst"] = "2",
            ["Coaching:TurnsPerMinute"] = "1",
        });
        var (onA, onB) = await cluster.ConnectBothAsync("scale-limit@example.com");
        var session = await onA.StartSessionAsync();

        await onA.TalkAsync(session.SessionId, "t1", "One.");
        await onB.TalkAsync(session.SessionId, "t2", "Two.");
        var refusedOnA = await Assert.ThrowsAsync<HubException>(() => onA.SendTurnAsync(session.SessionId, "t3", "Three."));
        var refusedOnB = await Assert.ThrowsAsync<HubException>(() => onB.SendTurnAsync(session.SessionId, "t4", "Four."));

        Assert.Contains("rate_limited:", refusedOnA.Message);
        Assert.Contains("rate_limited:", refusedOnB.Message);
        Assert.Equal(2, cluster.TextRequests.Count);
        Assert.Equal(2, await cluster.Database.Get<CoachDatabase>().ForUserAsync(onA.UserId, db => db.Messages.CountAsync(m => m.Role == "user")));
    }

    [Fact]
    [Trait("Suite", "Reliability")]
    public async Task An_instance_killed_mid_reply_leaves_no_turn_streaming_and_the_other_tells_the_listeners()
    {
        await using var cluster = await TwoInstances.StartAsync(childA: true);
        cluster.CoachReply = _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(300) };
        var (onA, onB) = await cluster.ConnectBothAsync("scale-kill@example.com");
        // Started where it is answered: started on B, B would keep the session's context for its first turn
        // (CarriedContexts), and B's join would send the reply's request and drop it on finding the turn A's.
        var session = await onA.StartSessionAsync();
        await onA.SendTurnAsync(session.SessionId, "t1", "Walk me through it.");
        await onA.ReadChunksAsync("t1", 1);
        Assert.Equal("streaming", (await onB.SendTurnAsync(session.SessionId, "t1", "Walk me through it.")).State);
        await onB.ReadChunksAsync("t1", 2);

        await cluster.KillAAsync();

        var failed = await CoachClient.WaitForAsync(() => onB.Failed.FirstOrDefault(f => f.TurnId == "t1"));
        Assert.Equal(TurnCoordinator.OwnerLost, failed.Reason);
        var resumed = await onB.InvokeAsync<SessionResumed>("ResumeSession", session.SessionId, 0);
        Assert.Null(resumed.StreamingTurnId);
        Assert.Equal(["user"], resumed.Messages.Select(m => m.Role));
        // The turn can be sent again, and is answered afresh by the instance that is left.
        cluster.CoachReply = _ => FakeResponse.Reply("Let us start again, slowly.");
        var again = await onB.TalkAsync(session.SessionId, "t1", "Walk me through it.");
        Assert.Equal("Let us start again, slowly.", again.Content);
        Assert.Equal(2, cluster.TextRequests.Count);
    }

    [Fact]
    [Trait("Suite", "Reliability")]
    public async Task A_single_instance_killed_mid_reply_and_restarted_has_the_message_and_no_turn_in_progress()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Handler = request => ConversationHarness.Answer(request, _ => FakeResponse.Reply(LongReply) with { DelayBetweenChunks = TimeSpan.FromMilliseconds(300) });
        await using var database = await CoachTestDatabase.CreateAsync();
        var settings = TwoInstances.Settings(llm, database, redis: null);
        Guid session;
        Guid userId;
        await using (var first = await ChildInstance.StartAsync(settings))
        {
            await using var client = await TwoInstances.ConnectAsync(first.BaseAddress, "restart@example.com");
            userId = client.UserId;
            session = (await client.StartSessionAsync()).SessionId;
            await client.SendTurnAsync(session, "t1", "I could not sleep.");
            await client.ReadChunksAsync("t1", 1);
            await first.Process.KillAsync();
        }

        // Killed mid-reply: the turn is still claimed, as a turn in progress.
        await using var owner = await database.OpenOwnerAsync();
        Assert.Equal(1, await database.CountAsync(owner, "SELECT count(*) FROM turn_claims"));

        await using var second = await ChildInstance.StartAsync(settings);
        // The restarted instance closes the dead one's turn at its first sweep.
        var deadline = DateTime.UtcNow + Timeout;
        while (await database.CountAsync(owner, "SELECT count(*) FROM turn_claims") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the restarted instance left the dead one's turn in progress");
            await Task.Delay(100);
        }

        var user = await database.Get<CoachDatabase>().ForUserAsync(userId, db => db.Messages.OrderBy(m => m.SequenceNumber).ToListAsync());
        Assert.Equal(["user"], user.Select(m => m.Role));
        Assert.Equal("I could not sleep.", user[0].Content);
    }

    /// <summary>A and B on one database, one fake LLM server and one redis-server; A in this process or as a child process.</summary>
    private sealed class TwoInstances : IAsyncDisposable
    {
        private readonly FakeLlmServer llm;
        private readonly RedisTestServer redis;
        private readonly CoachApp? a;
        private readonly ChildInstance? childA;
        private readonly CoachApp b;
        private readonly List<CoachClient> clients = [];

        private TwoInstances(FakeLlmServer llm, RedisTestServer redis, CoachTestDatabase database, CoachApp? a, ChildInstance? childA, CoachApp b)
        {
            this.llm = llm;
            this.redis = redis;
            Database = database;
            this.a = a;
            this.childA = childA;
            this.b = b;
            llm.Handler = request => ConversationHarness.Answer(request, CoachReply);
        }

        public CoachTestDatabase Database { get; }

        public Func<FakeRequest, FakeResponse> CoachReply { get; set; } = _ => FakeResponse.Reply("That sounds like a full week. What would help most right now?");

        public IReadOnlyList<FakeRequest> TextRequests => llm.Requests.Where(r => ConversationHarness.TaskOf(r) is null).ToList();

        public static async Task<TwoInstances> StartAsync(IReadOnlyDictionary<string, string?>? overrides = null, bool childA = false)
        {
            var llm = await FakeLlmServer.StartAsync();
            var redis = await RedisTestServer.StartAsync();
            var database = await CoachTestDatabase.CreateAsync();
            var settings = Settings(llm, database, redis);
            foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            {
                settings[key] = value;
            }

            var a = childA ? null : CoachApp.StartOn(database, settings);
            var child = childA ? await ChildInstance.StartAsync(settings) : null;
            return new TwoInstances(llm, redis, database, a, child, CoachApp.StartOn(database, settings));
        }

        public static Dictionary<string, string?> Settings(FakeLlmServer llm, CoachTestDatabase database, RedisTestServer? redis) => new()
        {
            ["ConnectionStrings:Coach"] = database.Connections.Owner,
            ["ConnectionStrings:CoachApp"] = database.Connections.App,
            ["ConnectionStrings:Redis"] = redis?.ConnectionString,
            // Both instances read the text the other wrote: one key ring, as a deployment shares one folder.
            ["DataProtection:KeyRingPath"] = database.KeyRingPath,
            ["Llm:Provider"] = "openai",
            ["Llm:Endpoint"] = llm.BaseUrl.ToString(),
            ["Llm:Model"] = "fake-model",
            ["Llm:Resilience:MaxRetryAttempts"] = "0",
            // One key, so a token from either instance is good on both.
            ["Auth:SigningKey"] = "scale-out-tests-signing-key-of-at-least-32-bytes",
            ["Coaching:OrphanedTurnSweepInterval"] = "00:00:00.200",
        };

        /// <summary>The same user connected to A and to B.</summary>
        public async Task<(CoachClient OnA, CoachClient OnB)> ConnectBothAsync(string email)
        {
            var onA = await ConnectAsync(childA?.BaseAddress ?? a!.BaseAddress, email);
            var onB = new CoachClient(b.BaseAddress, onA.Token, onA.UserId);
            await onB.ConnectAsync();
            clients.AddRange([onA, onB]);
            return (onA, onB);
        }

        public static async Task<CoachClient> ConnectAsync(Uri server, string email)
        {
            using var http = new HttpClient { BaseAddress = server };
            var response = await http.PostAsJsonAsync("/dev/token", new { email, name = email.Split('@')[0], timezone = "Europe/Lisbon" });
            response.EnsureSuccessStatusCode();
            var token = await response.Content.ReadFromJsonAsync<JsonElement>();
            var client = new CoachClient(server, token.GetProperty("access_token").GetString()!, Guid.Parse(token.GetProperty("user_id").GetString()!));
            await client.ConnectAsync();
            return client;
        }

        public Task KillAAsync() => childA!.Process.KillAsync();

        public async ValueTask DisposeAsync()
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            if (a is not null)
            {
                await a.DisposeAsync();
            }

            if (childA is not null)
            {
                await childA.DisposeAsync();
            }

            await b.DisposeAsync();
            await Database.DisposeAsync();
            await redis.DisposeAsync();
            await llm.DisposeAsync();
        }
    }

    /// <summary>The built service as a process of its own on loopback, so a test can kill it as a crash would.</summary>
    private sealed class ChildInstance : IAsyncDisposable
    {
        private ChildInstance(ServiceProcess process, Uri baseAddress)
        {
            Process = process;
            BaseAddress = baseAddress;
        }

        public ServiceProcess Process { get; }

        public Uri BaseAddress { get; }

        public static async Task<ChildInstance> StartAsync(IReadOnlyDictionary<string, string?> settings)
        {
            var url = $"http://127.0.0.1:{LoopbackPort.Free()}";
            var environment = settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
            var process = ServiceProcess.Start(AppContext.BaseDirectory, environment, "--urls", url);
            await process.WaitForOutputAsync("Application started", TimeSpan.FromMinutes(1));
            return new ChildInstance(process, new Uri(url + "/"));
        }

        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
