using System.Threading.RateLimiting;
using CoachService.Api.Auth;
using CoachService.Conversations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CoachService.Api.Hubs;

/// <summary>
/// Policy for every hub call: a per-user token bucket on the calls that reach the LLM, and domain
/// errors turned into <see cref="HubException"/>s whose message tells the client what was wrong
/// (prefixed with a stable code: not_found, invalid_argument, conflict, invalid_state, rate_limited).
/// </summary>
public sealed partial class CoachHubFilter(IOptions<CoachingOptions> options, ILogger<CoachHubFilter> logger) : IHubFilter, IDisposable
{
    private static readonly HashSet<string> Limited = new(StringComparer.Ordinal) { nameof(CoachHub.SendTurn), nameof(CoachHub.EndSession) };

    // One token bucket per user; the partitioned limiter drops a user's bucket once it is idle and full
    // again, so nothing lives on per user who has gone.
    private readonly PartitionedRateLimiter<Guid> buckets = PartitionedRateLimiter.Create<Guid, Guid>(userId =>
        RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.TurnBurst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / options.Value.TurnsPerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocation.HubMethodName;
        if (Limited.Contains(method) && invocation.Context.User?.GetUserId() is { } userId)
        {
            using var lease = buckets.AttemptAcquire(userId);
            if (!lease.IsAcquired)
            {
                var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Ceiling(retryAfter.TotalSeconds) : 1;
                LogRateLimited(logger, method);
                throw new HubException($"rate_limited: too many requests to the coach (SendTurn and EndSession); at most {options.Value.TurnsPerMinute} a minute. Try again in {wait} s.");
            }
        }

        try
        {
            return await next(invocation);
        }
        catch (Exception e) when (Translate(e) is { } message)
        {
            LogRefused(logger, method, message.Split(':')[0]);
            throw new HubException(message);
        }
    }

    private static string? Translate(Exception e) => e switch
    {
        DomainNotFoundException notFound => $"not_found: {notFound.Message}",
        DomainValidationException invalid => $"invalid_argument: {invalid.Field}: {invalid.Message}",
        DomainConflictException conflict => $"conflict: {conflict.Field}: {conflict.Message}",
        DomainStateException state => $"invalid_state: {state.State}: {state.Message}",
        DataAccessDeniedException => "not_found: no such data for this user",
        Llm.LlmException or Llm.Tasks.LlmOutputInvalidException => "unavailable: the language model service failed; try again",
        _ => null,
    };

    public void Dispose() => buckets.Dispose();

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Hub call {Method} refused by the turn rate limit")]
    private static partial void LogRateLimited(ILogger logger, string method);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Hub call {Method} refused: {Code}")]
    private static partial void LogRefused(ILogger logger, string method, string code);
}
