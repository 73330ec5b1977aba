using System.Collections.Concurrent;
using CoachService.Persistence;
using CoachService.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace CoachService.Conversations;

/// <summary>
/// What a session's next coaching turn will most likely be built from, kept by the instance that answered the
/// session's last turn (or started it): the prompt's inputs but the message, the history, the last sequence
/// number and the user's permits after the last spend. A turn that finds one sends its reply's model request
/// at once, before the database has found and claimed the turn, and keeps that request only when the context
/// the database then gives is the same prompt (<see cref="TurnOrchestrator"/>). Nothing here is trusted: a
/// context that changed elsewhere (a goal edited, another instance answered) costs an abandoned request, never a
/// wrong reply. What keeps that rare: what this instance changes of the user's data (<see cref="UserDataVersions"/>)
/// makes the user's carried contexts unusable, its idle-session sweep forgets the sessions it interrupts, and a turn
/// is started early only while the user's bucket holds, by estimate, a permit to spare (another instance may have
/// spent one). Bounded: at most <see cref="CoachingOptions.CarriedContexts"/> sessions, each for at most
/// <see cref="MaxAge"/>; a session's entry is taken by its next turn and dropped when the session ends.
/// </summary>
public sealed class CarriedContexts(UserDataVersions versions, IOptions<CoachingOptions> options, TimeProvider time, IOptions<IdleSessionOptions>? idle = null)
{
    /// <summary>A carried context older than this is not used: the user may have changed anything meanwhile.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, CarriedContext> bySession = new();
    private long lastSweepTicks;

    /// <summary>
    /// <see cref="MaxAge"/>, and never more than half the idle-session timeout: a session that any instance's sweep has
    /// interrupted has no usable context left.
    /// </summary>
    private TimeSpan UsableFor => idle is null ? MaxAge : TimeSpan.FromTicks(Math.Min(MaxAge.Ticks, idle.Value.IdleSessionTimeout.Ticks / 2));

    /// <summary>Sessions with a carried context.</summary>
    public int Count => bySession.Count;

    /// <summary>The user's data version to read a context under (<see cref="Carry"/>, <see cref="Prime"/>): taken before the read.</summary>
    public long VersionOf(Guid userId) => versions.Of(userId);

    /// <summary>
    /// Keeps what the session's next turn will most likely be built from, after turn <paramref name="lastTurnId"/>:
    /// <paramref name="inputs"/> as that turn's (its message is replaced), <paramref name="history"/> as the next turn's,
    /// ending with the message at <paramref name="lastSequence"/>, all read under <paramref name="version"/>
    /// (<see cref="VersionOf"/>). Replaces an older one. Not kept when the cache is full.
    /// </summary>
    public void Carry(Guid userId, Guid sessionId, string lastTurnId, int lastSequence, IReadOnlyDictionary<string, object?> inputs, IReadOnlyList<ChatMessage> history,
        double permitsLeft, long version)
    {
        if (Room(sessionId))
        {
            bySession[sessionId] = new CarriedContext(userId, lastTurnId, lastSequence, inputs, history, permitsLeft, version, time.GetUtcNow());
        }
    }

    /// <summary>Like <see cref="Carry"/>, for a session with no turn yet; keeps nothing when the session has one already.</summary>
    public void Prime(Guid userId, Guid sessionId, IReadOnlyDictionary<string, object?> inputs, double permits, long version)
    {
        if (Room(sessionId))
        {
            bySession.TryAdd(sessionId, new CarriedContext(userId, null, 0, inputs, [], permits, version, time.GetUtcNow()));
        }
    }

    /// <summary>
    /// Takes the session's carried context for its turn <paramref name="turnId"/>: null when there is none, it is another
    /// user's, too old, read before this instance changed the user's data, or the user's bucket would by estimate hold
    /// fewer than two permits (one to spend and one that another instance may have spent meanwhile), so that a turn
    /// the database refuses sends no model request. A repeat of the turn the context was carried from (a client
    /// sending it again) leaves it for the next turn.
    /// </summary>
    public CarriedContext? Take(Guid userId, Guid sessionId, string turnId)
    {
        // Another user's turn for the session (refused later) leaves the owner's context alone.
        if (!bySession.TryGetValue(sessionId, out var carried) || carried.UserId != userId || carried.LastTurnId == turnId
            || !bySession.TryRemove(KeyValuePair.Create(sessionId, carried)))
        {
            return null;
        }

        var age = time.GetUtcNow() - carried.At;
        var (burst, perMinute) = (options.Value.TurnBurst, options.Value.TurnsPerMinute);
        var permits = Math.Min(burst, carried.PermitsLeft + Math.Max(0, age.TotalSeconds) * perMinute / 60.0);
        return age <= UsableFor && permits >= 2 && carried.Version == versions.Of(userId) ? carried : null;
    }

    /// <summary>Drops the session's carried context (the session ended, or its last turn acted on the user's data).</summary>
    public void Forget(Guid sessionId) => bySession.TryRemove(sessionId, out _);

    private bool Room(Guid sessionId)
    {
        var limit = options.Value.CarriedContexts;
        if (limit == 0)
        {
            return false;
        }

        if (bySession.Count >= limit && !bySession.ContainsKey(sessionId))
        {
            // Full: the stale ones go first (looked for at most once a second); a cache full of fresh ones keeps no more.
            var now = time.GetUtcNow();
            var last = Interlocked.Read(ref lastSweepTicks);
            if (now.UtcTicks - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref lastSweepTicks, now.UtcTicks, last) != last)
            {
                return false;
            }

            foreach (var (id, carried) in bySession)
            {
                if (now - carried.At > UsableFor)
                {
                    bySession.TryRemove(id, out _);
                }
            }

            return bySession.Count < limit;
        }

        return true;
    }
}

/// <summary>A session's carried context (<see cref="CarriedContexts"/>).</summary>
/// <param name="LastTurnId">The turn it was carried from (null: primed at the session's start).</param>
/// <param name="PermitsLeft">The user's permits after that turn's spend (or when the session started).</param>
/// <param name="Version">The user's <see cref="UserDataVersions"/> counter before it was read.</param>
public sealed record CarriedContext(
    Guid UserId, string? LastTurnId, int LastSequence, IReadOnlyDictionary<string, object?> Inputs, IReadOnlyList<ChatMessage> History,
    double PermitsLeft, long Version, DateTimeOffset At);
