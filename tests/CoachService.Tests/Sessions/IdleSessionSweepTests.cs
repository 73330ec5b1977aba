using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Tests.Conversations;
using CoachService.Users;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CoachService.Tests.Sessions;

/// <summary>Sessions left open past Coaching:IdleSessionTimeout are interrupted, for every user, on the service's clock.</summary>
public sealed class IdleSessionSweepTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Idle = TimeSpan.FromHours(2);

    [Fact]
    public async Task Idle_open_sessions_of_every_user_are_interrupted_and_fresh_or_streaming_ones_are_not()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var database = await CoachTestDatabase.CreateAsync(time).WaitAsync(Timeout);
        var ana = (await database.Get<UserAccounts>().CreateAsync(new NewUser($"ana.{Guid.NewGuid():N}@example.com"))).Id;
        var ben = (await database.Get<UserAccounts>().CreateAsync(new NewUser($"ben.{Guid.NewGuid():N}@example.com"))).Id;
        var sessions = database.Get<CoachingSessions>();
        var anaIdle = (await sessions.StartAsync(ana, "face_to_face")).Id;
        var benIdle = (await sessions.StartAsync(ben, "face_to_face")).Id;
        var talkedLater = (await sessions.StartAsync(ana, "face_to_face")).Id;
        var streaming = (await sessions.StartAsync(ben, "face_to_face")).Id;
        var completed = (await sessions.StartAsync(ben, "face_to_face")).Id;
        var streamingElsewhere = (await sessions.StartAsync(ben, "face_to_face")).Id;
        await SetStatusAsync(database, ben, completed, SessionStatus.Completed);

        time.Advance(TimeSpan.FromHours(1));
        var claims = new TurnClaims(database.Get<CoachDatabase>(), time);
        await new TurnStore(database.Get<CoachDatabase>(), claims, time).StoreUserMessageAsync(ana, talkedLater, "t1", "Still here", (_, _) => Task.FromResult<IReadOnlyList<EarlierMessage>?>(null), new CoachingOptions(), CancellationToken.None);
        // Answered by another instance: only the claim in the database says so.
        var limiter = new TurnRateLimiter(Microsoft.Extensions.Options.Options.Create(new CoachingOptions()), time);
        await database.Get<CoachDatabase>().ForUserAsync(ben, db => claims.ClaimAndSpendAsync(db, ben, streamingElsewhere, "t1", 1, "connection-b", limiter, CancellationToken.None));
        time.Advance(Idle - TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var fresh = (await sessions.StartAsync(ana, "face_to_face")).Id;
        var active = new ActiveTurns();
        active.TryBegin(new ActiveTurn(ben, streaming, "t1", 1, "Hello"));

        var swept = await Sweep(database, active, time).SweepAsync().WaitAsync(Timeout);

        Assert.Equal(new[] { anaIdle, benIdle }.Order(), swept.Order());
        Assert.Equal(SessionStatus.Interrupted, await StatusAsync(database, ana, anaIdle));
        Assert.Equal(SessionStatus.Interrupted, await StatusAsync(database, ben, benIdle));
        Assert.Equal(SessionStatus.InProgress, await StatusAsync(database, ana, talkedLater));
        Assert.Equal(SessionStatus.Started, await StatusAsync(database, ana, fresh));
        Assert.Equal(SessionStatus.Started, await StatusAsync(database, ben, streaming));
        Assert.Equal(SessionStatus.Started, await StatusAsync(database, ben, streamingElsewhere));
        Assert.Equal(SessionStatus.Completed, await StatusAsync(database, ben, completed));
        Assert.Empty(await Sweep(database, active, time).SweepAsync().WaitAsync(Timeout));
    }

    [Theory]
    [InlineData(SessionStatus.Started)]
    [InlineData(SessionStatus.InProgress)]
    [InlineData(SessionStatus.Interrupted)]
    [InlineData(SessionStatus.Completed)]
    [InlineData(SessionStatus.Failed)]
    public async Task The_sweep_interrupts_exactly_the_statuses_the_rules_allow(SessionStatus status)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var database = await CoachTestDatabase.CreateAsync(time).WaitAsync(Timeout);
        var user = (await database.Get<UserAccounts>().CreateAsync(new NewUser($"rules.{Guid.NewGuid():N}@example.com"))).Id;
        var session = (await database.Get<CoachingSessions>().StartAsync(user, "face_to_face")).Id;
        await SetStatusAsync(database, user, session, status);
        time.Advance(Idle + TimeSpan.FromMinutes(1));

        var swept = await Sweep(database, new ActiveTurns(), time).SweepAsync().WaitAsync(Timeout);

        var expected = new CoachingSession { Id = session, SessionType = "face_to_face", Status = status };
        if (status.CanBeInterrupted())
        {
            expected.Interrupt();
            Assert.Equal([session], swept);
        }
        else
        {
            Assert.Throws<DomainStateException>(expected.Interrupt);
            Assert.Empty(swept);
        }

        Assert.Equal(expected.Status, await StatusAsync(database, user, session));
    }

    [Fact]
    public async Task The_sweep_runs_every_interval_on_the_services_clock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var database = await CoachTestDatabase.CreateAsync(time).WaitAsync(Timeout);
        var user = (await database.Get<UserAccounts>().CreateAsync(new NewUser($"timer.{Guid.NewGuid():N}@example.com"))).Id;
        var session = (await database.Get<CoachingSessions>().StartAsync(user, "face_to_face")).Id;
        var sweep = Sweep(database, new ActiveTurns(), time);
        await sweep.StartAsync(CancellationToken.None);
        try
        {
            time.Advance(Idle + TimeSpan.FromSeconds(30)); // idle, but no tick since it became so
            time.Advance(TimeSpan.FromMinutes(1));         // the next tick

            // The tick's sweep runs on its own; wait (bounded) for its result to show.
            using var deadline = new CancellationTokenSource(Timeout);
            while (await StatusAsync(database, user, session) != SessionStatus.Interrupted)
            {
                await Task.Delay(20, deadline.Token);
            }
        }
        finally
        {
            await sweep.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_turn_on_a_swept_session_is_refused_as_interrupted()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync($"swept.{Guid.NewGuid():N}@example.com");
        var session = await ana.StartSessionAsync();
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow + Idle + TimeSpan.FromMinutes(1));
        // The app's sweep, at a later hour: it forgets the context the session's start kept for its first turn.
        var sweep = Sweep(harness.App.Database, new ActiveTurns(), later, harness.App.Services.GetRequiredService<CarriedContexts>());

        Assert.Contains(session.SessionId, await sweep.SweepAsync().WaitAsync(Timeout));

        var refused = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(session.SessionId, "t1", "Hello again"));
        Assert.Contains("HubException: invalid_state: interrupted: session", refused.Message);
        Assert.Empty(harness.TextRequests);
    }

    private static IdleSessionSweep Sweep(CoachTestDatabase database, ActiveTurns active, TimeProvider time, CarriedContexts? carried = null) => new(
        database.Get<IDbContextFactory<CoachDbContext>>, active,
        Microsoft.Extensions.Options.Options.Create(new IdleSessionOptions { IdleSessionTimeout = Idle, IdleSweepInterval = TimeSpan.FromMinutes(1) }),
        time, NullLogger<IdleSessionSweep>.Instance, carried);

    private static Task<SessionStatus> StatusAsync(CoachTestDatabase database, Guid user, Guid session) =>
        database.Get<CoachDatabase>().ForUserAsync(user, db => db.Sessions.Where(s => s.Id == session).Select(s => s.Status).SingleAsync());

    private static Task SetStatusAsync(CoachTestDatabase database, Guid user, Guid session, SessionStatus status) =>
        database.Get<CoachDatabase>().ForUserAsync(user, async db =>
            (await db.Sessions.SingleAsync(s => s.Id == session)).Status = status);
}
