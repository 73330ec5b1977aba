using System.Collections.Concurrent;

namespace CoachService.Conversations;

/// <summary>Why a turn's generation was stopped.</summary>
public enum StopReason
{
    None,

    /// <summary>The user talked over the reply; keep what they heard.</summary>
    BargeIn,

    /// <summary>The client went away; keep what was produced.</summary>
    Disconnected,

    /// <summary>The session is being ended.</summary>
    SessionEnded,
}

/// <summary>
/// A reply being generated. Holds the pieces sent so far (for listeners that join late), the
/// listeners, and the means to stop it. One per session at a time.
/// </summary>
public sealed class ActiveTurn(Guid userId, Guid sessionId, string turnId, int userSequence, string text)
{
    private readonly object gate = new();
    private readonly List<ReplyChunk> chunks = [];
    private readonly List<ITurnListener> listeners = [];
    // Never disposed: it has no timer, and a late Stop after the turn ended must stay harmless.
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource<TurnCompleted?> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Guid UserId { get; } = userId;
    public Guid SessionId { get; } = sessionId;
    public string TurnId { get; } = turnId;
    public int UserSequence { get; } = userSequence;

    /// <summary>The user's message this turn answers.</summary>
    public string Text { get; } = text;

    private volatile bool awaitedElsewhere;

    /// <summary>Another instance asked to stop this turn and waits for its end: the end is announced to it (TurnCoordinator).</summary>
    public bool AwaitedElsewhere
    {
        get => awaitedElsewhere;
        set => awaitedElsewhere = value;
    }

    /// <summary>The reply was stopped before anything of it was heard, so nothing was stored.</summary>
    public bool KeptNothing { get; set; }

    public CancellationToken Stopping => stop.Token;
    public StopReason StopReason { get; private set; }
    public HeardPart? Heard { get; private set; }

    /// <summary>Completes with the stored reply (null if none was stored) once the turn is over.</summary>
    public Task<TurnCompleted?> Done => done.Task;

    /// <summary>Adds a listener and returns the pieces it missed; later pieces reach it as events.</summary>
    public IReadOnlyList<ReplyChunk> Join(ITurnListener listener)
    {
        lock (gate)
        {
            if (listeners.All(l => l.Id != listener.Id))
            {
                listeners.Add(listener);
            }

            return chunks.ToList();
        }
    }

    /// <summary>A listener's connection closed; returns how many listeners remain.</summary>
    public int Leave(string listenerId)
    {
        lock (gate)
        {
            listeners.RemoveAll(l => l.Id == listenerId);
            return listeners.Count;
        }
    }

    public int ListenerCount
    {
        get
        {
            lock (gate)
            {
                return listeners.Count;
            }
        }
    }

    /// <summary>Forgets the pieces sent so far: they were retracted, and a listener joining now must not get them.</summary>
    public void ForgetChunks()
    {
        lock (gate)
        {
            chunks.Clear();
        }
    }

    /// <summary>Whether the connection listens to this turn.</summary>
    public bool IsHeardBy(string listenerId)
    {
        lock (gate)
        {
            return listeners.Any(l => l.Id == listenerId);
        }
    }

    public IReadOnlyList<ITurnListener> Listeners
    {
        get
        {
            lock (gate)
            {
                return listeners.ToList();
            }
        }
    }

    /// <summary>Records a piece and hands it to the listeners that were there when it was made.</summary>
    public async Task PublishAsync(ReplyChunk chunk)
    {
        ITurnListener[] targets;
        lock (gate)
        {
            chunks.Add(chunk);
            targets = [.. listeners];
        }

        foreach (var listener in targets)
        {
            await listener.ChunkAsync(chunk);
        }
    }

    public void Stop(StopReason reason, HeardPart? heard = null)
    {
        lock (gate)
        {
            if (StopReason != StopReason.None)
            {
                return;
            }

            StopReason = reason;
            Heard = heard;
        }

        stop.Cancel();
    }

    public void Finish(TurnCompleted? stored) => done.TrySetResult(stored);
}

/// <summary>The turns being generated right now, at most one per session.</summary>
public sealed class ActiveTurns
{
    private readonly ConcurrentDictionary<Guid, ActiveTurn> bySession = new();

    public bool TryBegin(ActiveTurn turn) => bySession.TryAdd(turn.SessionId, turn);

    public ActiveTurn? Find(Guid sessionId) => bySession.GetValueOrDefault(sessionId);

    public void End(ActiveTurn turn) => bySession.TryRemove(new KeyValuePair<Guid, ActiveTurn>(turn.SessionId, turn));

    public IReadOnlyList<ActiveTurn> HeardBy(string connectionId) =>
        bySession.Values.Where(t => t.IsHeardBy(connectionId)).ToList();

    public IReadOnlyList<ActiveTurn> All => bySession.Values.ToList();
}
