using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using CoachService.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CoachService.Conversations;

/// <summary>How instances on one database coordinate their turns; section "Coaching".</summary>
public sealed class TurnCoordinationOptions
{
    public const string SectionName = "Coaching";

    /// <summary>
    /// How often each instance looks for turns whose owner died (its advisory lock is gone) and closes
    /// them. A dead owner's turns are closed within this interval after PostgreSQL sees its connection end.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Coaching:OrphanedTurnSweepInterval must be between 100 ms and 5 minutes.")]
    public TimeSpan OrphanedTurnSweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a request to the instance answering a turn (join, interrupt, end) waits for it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Coaching:TurnHandOffTimeout must be between 1 second and 5 minutes.")]
    public TimeSpan TurnHandOffTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Sends a turn's events to a connection by its id, wherever it is connected (the SignalR backplane's business).</summary>
public interface ITurnListeners
{
    ITurnListener For(string connectionId);
}

/// <summary>A message between instances on the <c>coach_turns</c> channel (PostgreSQL NOTIFY).</summary>
/// <param name="Kind">stop, join, joined, left or released.</param>
/// <param name="To">The instance it is for; 0 for every instance.</param>
internal sealed record TurnSignal(
    string Kind, long To, Guid Session, string? Turn = null, StopReason Reason = StopReason.None, int? Heard = null,
    string? Listener = null, long From = 0, Guid Request = default, bool Ok = false);

/// <summary>
/// This instance's part in answering turns beside other instances on the same database. It holds, on a
/// connection of its own for its whole life, the advisory lock <see cref="TurnClaims.InstanceKey"/>: the
/// lock is how the others know it lives, and PostgreSQL drops it the moment the process dies. On the same
/// connection it LISTENs to <c>coach_turns</c>, where another instance asks it to stop or share a turn
/// it owns. Every <see cref="TurnCoordinationOptions.OrphanedTurnSweepInterval"/> it closes claims whose
/// owner's lock is gone (and its own claims no turn of its holds), and tells their listeners the turn
/// failed. See docs/decisions/scale-out.md.
/// </summary>
/// <param name="connections">Resolved at start: the database is brought up by an earlier hosted service.</param>
/// <param name="turnClaims">Resolved at first use, for the same reason (it needs the context factory).</param>
public sealed partial class TurnCoordinator(
    Func<CoachConnectionStrings> connections,
    Func<TurnClaims> turnClaims,
    ActiveTurns active,
    IServiceProvider services,
    IOptions<TurnCoordinationOptions> options,
    TimeProvider time,
    ILogger<TurnCoordinator> logger) : BackgroundService
{
    private const string Channel = "coach_turns";

    /// <summary>The reason told to listeners of a turn whose instance died.</summary>
    public const string OwnerLost = "the server answering this turn stopped; nothing of the reply was kept; send the turn again";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<bool>> requests = new();
    private readonly ConcurrentDictionary<Guid, List<TaskCompletionSource>> releases = new();
    private NpgsqlDataSource? senders;
    private NpgsqlConnection? listening;

    private ITurnListeners? Listeners => services.GetService<ITurnListeners>();

    private TurnClaims Claims => turnClaims();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        senders = NpgsqlDataSource.Create(connections().App);
        // Locked and listening before the server takes its first turn.
        listening = await ListenAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connections().App) { Pooling = false, KeepAlive = 5 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        connection.Notification += (_, e) => Received(e.Payload);
        // The server also probes the connection, so a host that vanished without closing it loses its lock
        // (and its turns) within about half a minute, not at the kernel's two-hour default.
        await using var command = new NpgsqlCommand($"""
            SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3;
            SELECT pg_advisory_lock({Claims.InstanceKey}); LISTEN {Channel};
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        LogListening(logger, Claims.InstanceKey);
        return connection;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweeping = SweepEveryIntervalAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                listening ??= await ListenAsync(stoppingToken);
                await listening.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The lock went with the connection: other instances may close this one's turns meanwhile,
                // and their replies are then not stored (TurnLostException). Take both again and go on.
                LogListenFailed(logger, e.GetType().Name, e.Message);
                if (listening is { } lost)
                {
                    await lost.DisposeAsync();
                }

                listening = null;
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await sweeping;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (listening is { } connection)
        {
            await connection.DisposeAsync();
        }

        if (senders is { } dataSource)
        {
            await dataSource.DisposeAsync();
        }
    }

    /// <summary>
    /// Asks the owner of a claimed turn to add a connection (on any instance) as a listener; it sends the
    /// connection the pieces it missed as events. False when the owner no longer answers that turn.
    /// </summary>
    public async Task<bool> JoinElsewhereAsync(TurnClaim claim, string connectionId, CancellationToken cancellationToken)
    {
        await Claims.AddListenerAsync(claim.UserId, claim.SessionId, claim.TurnId, connectionId, cancellationToken);
        var request = Guid.NewGuid();
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        requests[request] = answer;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var released = WhenReleasedAsync(claim, done.Token);
        try
        {
            await SendAsync(new TurnSignal("join", claim.OwnerKey, claim.SessionId, claim.TurnId, Listener: connectionId, From: Claims.InstanceKey, Request: request));
            var first = await Task.WhenAny(answer.Task, released).WaitAsync(options.Value.TurnHandOffTimeout, time, cancellationToken);
            return first == answer.Task && answer.Task.Result;
        }
        finally
        {
            requests.TryRemove(request, out _);
            await done.CancelAsync();
            await released.ContinueWith(_ => { }, TaskScheduler.Default); // stopped polling; its cancellation is expected
        }
    }

    /// <summary>Asks the owner of a claimed turn to stop it, and waits until the turn is closed (its reply, if any, stored).</summary>
    public async Task StopElsewhereAsync(TurnClaim claim, StopReason reason, int? heardCharacters, CancellationToken cancellationToken)
    {
        var released = WhenReleasedAsync(claim, cancellationToken);
        await SendAsync(new TurnSignal("stop", claim.OwnerKey, claim.SessionId, claim.TurnId, reason, heardCharacters, From: Claims.InstanceKey));
        await released.WaitAsync(options.Value.TurnHandOffTimeout, time, cancellationToken);
    }

    /// <summary>Tells the owner that a connection which joined one of its turns from here has gone.</summary>
    public Task LeftAsync(TurnClaim claim, string connectionId) =>
        SendAsync(new TurnSignal("left", claim.OwnerKey, claim.SessionId, claim.TurnId, Listener: connectionId, From: Claims.InstanceKey));

    /// <summary>
    /// Tells every instance that this instance's turn of the session is over. Sent only when one waits
    /// for it (every instance receives every notification on the channel); a waiter also polls the claim.
    /// </summary>
    public Task AnnounceReleasedAsync(Guid sessionId) => SendAsync(new TurnSignal("released", 0, sessionId, From: Claims.InstanceKey));

    /// <summary>Closes the claims of dead owners (and stale ones of this instance's) and tells their listeners.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var mine = active.All.Select(t => t.SessionId).ToArray();
        var staleBefore = time.GetUtcNow() - options.Value.TurnHandOffTimeout;
        var closed = new List<(Guid Session, string Turn, string[] Listeners)>();
        await using (var command = senders!.CreateCommand(
            "SELECT session_id, turn_id, listeners FROM coach_close_orphaned_turns($1, $2, $3)"))
        {
            command.Parameters.AddWithValue(Claims.InstanceKey);
            command.Parameters.AddWithValue(mine);
            command.Parameters.AddWithValue(staleBefore);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                closed.Add((reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<string[]>(2)));
            }
        }

        foreach (var (session, turn, listeners) in closed)
        {
            LogClosedOrphan(logger, session, turn);
            foreach (var listener in listeners)
            {
                if (Listeners is { } hub)
                {
                    await hub.For(listener).FailedAsync(new TurnFailed(session, turn, OwnerLost));
                }
            }

            await AnnounceReleasedAsync(session);
        }

        return closed.Count;
    }

    private async Task SweepEveryIntervalAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.OrphanedTurnSweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; a database away for a while must not end the sweep.
                LogSweepFailed(logger, e.GetType().Name, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    /// <summary>Completes when the claim is gone: on the owner's "released", or found gone by polling (the owner may have died).</summary>
    private async Task WhenReleasedAsync(TurnClaim claim, CancellationToken cancellationToken)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = releases.GetOrAdd(claim.SessionId, _ => []);
        lock (waiting)
        {
            waiting.Add(signal);
        }

        try
        {
            while (true)
            {
                var current = await Claims.FindAsync(claim.UserId, claim.SessionId, cancellationToken);
                if (current is null || current.TurnId != claim.TurnId || current.OwnerKey != claim.OwnerKey)
                {
                    return;
                }

                await Task.WhenAny(signal.Task, Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                signal = Renew(waiting, signal);
            }
        }
        finally
        {
            lock (waiting)
            {
                waiting.Remove(signal);
                if (waiting.Count == 0)
                {
                    releases.TryRemove(new KeyValuePair<Guid, List<TaskCompletionSource>>(claim.SessionId, waiting));
                }
            }
        }
    }

    private static TaskCompletionSource Renew(List<TaskCompletionSource> waiting, TaskCompletionSource signal)
    {
        if (!signal.Task.IsCompleted)
        {
            return signal;
        }

        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (waiting)
        {
            waiting.Remove(signal);
            waiting.Add(next);
        }

        return next;
    }

    private async Task SendAsync(TurnSignal signal)
    {
        await using var command = senders!.CreateCommand("SELECT pg_notify($1, $2)");
        command.Parameters.AddWithValue(Channel);
        command.Parameters.AddWithValue(JsonSerializer.Serialize(signal, Json));
        await command.ExecuteNonQueryAsync();
    }

    private void Received(string payload)
    {
        TurnSignal? signal;
        try
        {
            signal = JsonSerializer.Deserialize<TurnSignal>(payload, Json);
        }
        catch (JsonException)
        {
            return; // not ours
        }

        if (signal is null || (signal.To != 0 && signal.To != Claims.InstanceKey))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await HandleAsync(signal);
            }
            catch (Exception e)
            {
                LogSignalFailed(logger, signal.Kind, signal.Session, e.GetType().Name, e.Message);
            }
        });
    }

    private async Task HandleAsync(TurnSignal signal)
    {
        var turn = active.Find(signal.Session) is { } found && found.TurnId == signal.Turn ? found : null;
        switch (signal.Kind)
        {
            case "stop":
                if (turn is not null)
                {
                    turn.AwaitedElsewhere = true;
                    turn.Stop(signal.Reason, signal.Heard is { } heard ? new HeardPart(heard, null) : null);
                }

                break;
            case "join":
                var joined = turn is not null && signal.Listener is { } listenerId && Listeners is { } hub;
                if (joined && !turn!.IsHeardBy(signal.Listener!))
                {
                    var listener = new CatchingUpListener(Listeners!.For(signal.Listener!));
                    var missed = turn.Join(listener);
                    await SendAsync(new TurnSignal("joined", signal.From, signal.Session, signal.Turn, Request: signal.Request, Ok: true));
                    await listener.CatchUpAsync(missed);
                    return;
                }

                await SendAsync(new TurnSignal("joined", signal.From, signal.Session, signal.Turn, Request: signal.Request, Ok: joined));
                break;
            case "left":
                if (turn is not null && signal.Listener is { } leaving)
                {
                    services.GetRequiredService<TurnOrchestrator>().ConnectionClosed(leaving);
                }

                break;
            case "joined":
                if (requests.TryGetValue(signal.Request, out var answer))
                {
                    answer.TrySetResult(signal.Ok);
                }

                break;
            case "released":
                if (releases.TryGetValue(signal.Session, out var waiting))
                {
                    lock (waiting)
                    {
                        foreach (var waiter in waiting)
                        {
                            waiter.TrySetResult();
                        }
                    }
                }

                break;
        }
    }

    /// <summary>
    /// A listener that joined from another instance: the pieces it missed go out first, and any later
    /// event waits for them, so the client sees the reply in order.
    /// </summary>
    private sealed class CatchingUpListener(ITurnListener inner) : ITurnListener
    {
        private readonly TaskCompletionSource caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Id => inner.Id;

        public async Task CatchUpAsync(IReadOnlyList<ReplyChunk> missed)
        {
            try
            {
                foreach (var chunk in missed)
                {
                    await inner.ChunkAsync(chunk);
                }
            }
            finally
            {
                caughtUp.TrySetResult();
            }
        }

        public async Task ChunkAsync(ReplyChunk chunk)
        {
            await caughtUp.Task;
            await inner.ChunkAsync(chunk);
        }

        public async Task CompletedAsync(TurnCompleted completed)
        {
            await caughtUp.Task;
            await inner.CompletedAsync(completed);
        }

        public async Task FailedAsync(TurnFailed failed)
        {
            await caughtUp.Task;
            await inner.FailedAsync(failed);
        }

        public async Task RetractedAsync(ReplyRetracted retracted)
        {
            await caughtUp.Task;
            await inner.RetractedAsync(retracted);
        }

        public Task EmotionsAsync(TurnEmotions emotions) => inner.EmotionsAsync(emotions);

        public Task OnboardingCompletedAsync(OnboardingCompleted onboarding) => inner.OnboardingCompletedAsync(onboarding);

        public Task ActionAsync(TurnAction action) => inner.ActionAsync(action);
    }

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Coordinating turns with other instances as instance {InstanceKey}")]
    private static partial void LogListening(ILogger logger, long instanceKey);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "The turn coordination connection failed ({Error}: {Reason}); reconnecting")]
    private static partial void LogListenFailed(ILogger logger, string error, string reason);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Session {SessionId} turn {TurnId}: closed, its instance stopped while answering it")]
    private static partial void LogClosedOrphan(ILogger logger, Guid sessionId, string turnId);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "The orphaned-turn sweep failed ({Error}: {Reason}); it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, string error, string reason);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "A turn signal {Kind} for session {SessionId} failed ({Error}: {Reason})")]
    private static partial void LogSignalFailed(ILogger logger, string kind, Guid sessionId, string error, string reason);
}
