using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CoachService.Conversations;

/// <summary>
/// The per-user token bucket on model work: a permit is spent only when a turn's reply is about to be
/// generated. Joining a reply, repeating a turn that has its reply, resuming, ending a session and
/// refused calls spend nothing. One partitioned limiter: a user's bucket is dropped once it is idle and
/// full again, so nothing lives on per user who has gone.
/// </summary>
public sealed class TurnRateLimiter(IOptions<CoachingOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> buckets = PartitionedRateLimiter.Create<Guid, Guid>(userId =>
        RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.TurnBurst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / options.Value.TurnsPerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Spends one permit of the user's, or refuses.</summary>
    /// <exception cref="DomainRateLimitedException">The bucket is empty.</exception>
    public void Spend(Guid userId)
    {
        using var lease = buckets.AttemptAcquire(userId);
        if (!lease.IsAcquired)
        {
            var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            throw new DomainRateLimitedException(wait,
                $"too many turns for the coach; at most {options.Value.TurnsPerMinute} a minute. Try again in {Math.Ceiling(wait.TotalSeconds)} s.");
        }
    }

    /// <summary>Whether the user could spend a permit now; spends nothing (a speculation starts only then).</summary>
    public bool HasPermit(Guid userId) => buckets.GetStatistics(userId) is { CurrentAvailablePermits: > 0 };

    public void Dispose() => buckets.Dispose();
}
