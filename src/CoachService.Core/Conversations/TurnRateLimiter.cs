using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CoachService.Conversations;

/// <summary>
/// The per-user token bucket on model work: a permit is spent only when a turn's reply is about to be
/// generated. Joining a reply, repeating a turn that has its reply, resuming, ending a session and
/// refused calls spend nothing. The bucket is a row (<see cref="TurnBucket"/>) spent in the transaction
/// that stores the turn, so every instance on the database counts against the same bucket, and a turn
/// that is not stored spends nothing. The row is locked by the update, so concurrent turns queue on it.
/// </summary>
public sealed class TurnRateLimiter(IOptions<CoachingOptions> options, TimeProvider time)
{
    /// <summary>Spends one permit of the user's inside the unit of work, or refuses.</summary>
    /// <exception cref="DomainRateLimitedException">The bucket is empty.</exception>
    public async Task SpendAsync(CoachDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var burst = (double)options.Value.TurnBurst;
        var perSecond = options.Value.TurnsPerMinute / 60.0;
        var now = time.GetUtcNow();
        // Refill by the time since the last spend, capped at the burst, then spend one if there is one.
        var left = await db.Database.SqlQuery<double>($"""
            INSERT INTO turn_buckets AS b (user_id, tokens, updated_at) VALUES ({userId}, {burst - 1}, {now})
            ON CONFLICT (user_id) DO UPDATE
                SET tokens = LEAST({burst}, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ({now} - b.updated_at))::float8) * {perSecond}) - 1,
                    updated_at = {now}
                WHERE LEAST({burst}, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ({now} - b.updated_at))::float8) * {perSecond}) >= 1
            RETURNING b.tokens AS "Value"
            """).ToListAsync(cancellationToken);
        if (left.Count == 0)
        {
            var have = await AvailableAsync(db, userId, now, cancellationToken) ?? burst;
            var wait = TimeSpan.FromSeconds(Math.Max(0.001, (1 - have) / perSecond));
            throw new DomainRateLimitedException(wait,
                $"too many turns for the coach; at most {options.Value.TurnsPerMinute} a minute. Try again in {Math.Ceiling(wait.TotalSeconds)} s.");
        }
    }

    /// <summary>Whether the user could spend a permit now; spends nothing (a speculation starts only then).</summary>
    public async Task<bool> HasPermitAsync(CoachDbContext db, Guid userId, CancellationToken cancellationToken) =>
        (await AvailableAsync(db, userId, time.GetUtcNow(), cancellationToken) ?? options.Value.TurnBurst) >= 1;

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
