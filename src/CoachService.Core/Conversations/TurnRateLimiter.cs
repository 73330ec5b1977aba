using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CoachService.Conversations;

/// <summary>
/// The per-user token bucket on model work: a permit is spent only when a turn's reply is about to be
/// generated. Joining a reply, repeating a turn that has its reply, resuming, ending a session and
/// refused calls spend nothing. The bucket is a row (<see cref="TurnBucket"/>) spent in the transaction
/// that stores the turn, in the statement that claims it (<see cref="TurnClaims.ClaimAndSpendAsync"/>), so
/// every instance on the database counts against the same bucket, and a turn that is not stored spends nothing. The row is locked by the update, so concurrent turns queue on it.
/// </summary>
public sealed class TurnRateLimiter(IOptions<CoachingOptions> options, TimeProvider time)
{
    /// <summary>The bucket's size and its refill a second, as the spending statement needs them.</summary>
    public (double Burst, double PerSecond) Rates => (options.Value.TurnBurst, options.Value.TurnsPerMinute / 60.0);

    /// <summary>
    /// The data-modifying statement (for a WITH clause) that refills the user's bucket by the time since its
    /// last spend, capped at the burst, and spends one permit if there is one, returning the permits left as
    /// <c>tokens</c>: no row when the bucket is empty, or when <paramref name="onlyIfRowsIn"/> (the name of an
    /// earlier WITH query) has none. The row is locked by the update, so concurrent turns queue on it.
    /// Parameters: {0} the user, {1} now, {2} the burst, {3} a second's refill (<see cref="Rates"/>).
    /// </summary>
    internal static string SpendSql(string onlyIfRowsIn) => $$"""
        INSERT INTO turn_buckets AS b (user_id, tokens, updated_at)
            SELECT {0}, {2} - 1, {1} WHERE EXISTS (SELECT 1 FROM {{onlyIfRowsIn}})
        ON CONFLICT (user_id) DO UPDATE
            SET tokens = LEAST({2}, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ({1} - b.updated_at))::float8) * {3}) - 1,
                updated_at = {1}
            WHERE LEAST({2}, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ({1} - b.updated_at))::float8) * {3}) >= 1
        RETURNING b.tokens
        """;

    /// <summary>Throws the refusal for an empty bucket, with how long until it holds a permit again.</summary>
    /// <exception cref="DomainRateLimitedException">Always.</exception>
    public async Task RefuseAsync(CoachDbContext db, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (burst, perSecond) = Rates;
        var have = await AvailableAsync(db, userId, now, cancellationToken) ?? burst;
        var wait = TimeSpan.FromSeconds(Math.Max(0.001, (1 - have) / perSecond));
        throw new DomainRateLimitedException(wait,
            $"too many turns for the coach; at most {options.Value.TurnsPerMinute} a minute. Try again in {Math.Ceiling(wait.TotalSeconds)} s.");
    }

    /// <summary>Whether the user could spend a permit now; spends nothing (a speculation starts only then).</summary>
    public async Task<bool> HasPermitAsync(CoachDbContext db, Guid userId, CancellationToken cancellationToken) =>
        await PermitsAsync(db, userId, cancellationToken) >= 1;

    /// <summary>The permits the user's bucket holds now; spends nothing.</summary>
    public async Task<double> PermitsAsync(CoachDbContext db, Guid userId, CancellationToken cancellationToken) =>
        await AvailableAsync(db, userId, time.GetUtcNow(), cancellationToken) ?? options.Value.TurnBurst;

    // The permits the bucket holds at 'now', refilled since its last spend; null when the user has no bucket yet (a full one).
    private async Task<double?> AvailableAsync(CoachDbContext db, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var bucket = await db.TurnBuckets.AsNoTracking().Where(b => b.UserId == userId)
            .Select(b => new { b.Tokens, b.UpdatedAt }).SingleOrDefaultAsync(cancellationToken);
        return bucket is null
            ? null
            : Math.Min(options.Value.TurnBurst, bucket.Tokens + Math.Max(0, (now - bucket.UpdatedAt).TotalSeconds) * options.Value.TurnsPerMinute / 60.0);
    }
}
