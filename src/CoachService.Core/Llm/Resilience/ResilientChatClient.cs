using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace CoachService.Llm.Resilience;

/// <summary>
/// The one retry/timeout layer of the LLM pipeline: per-attempt and first-token timeouts, a total
/// budget, retries with back-off that honour Retry-After, and a circuit breaker.
/// </summary>
/// <remarks>
/// Retries and the breaker are a Polly pipeline, the breaker outside the retries: it counts calls,
/// not attempts, so one user's retries cannot open it for everyone. Throttling (429) is the
/// provider pacing us, not failing: it never counts towards the breaker, and a failure that came with
/// a Retry-After opens the breaker for no longer than the provider asked. The timeouts are CancellationTokenSources driven
/// by the injected <see cref="TimeProvider"/> instead of Polly timeout strategies, because a stream
/// outlives the Polly callback: once the first update is handed to the caller, the attempt and
/// total timeouts must keep running while the caller reads, but nothing may be retried any more.
/// </remarks>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private static readonly ResiliencePropertyKey<CallBudget> BudgetKey = new("coach.llm.budget");
    private static readonly ResiliencePropertyKey<string> TaskKey = new("coach.llm.task");
    private static readonly ResiliencePropertyKey<TimeSpan> RequestedPauseKey = new("coach.llm.requested_pause");

    // A Retry-After of 0 still means "failing": pause new calls for a moment rather than not at all.
    private static readonly TimeSpan MinimumBreak = TimeSpan.FromMilliseconds(500);

    private readonly LlmResilienceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;

    public ResilientChatClient(IChatClient innerClient, LlmResilienceOptions options, TimeProvider timeProvider, ILogger<ResilientChatClient>? logger = null)
        : base(innerClient)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<ResilientChatClient>.Instance;
        _pipeline = BuildPipeline();
    }

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var budget = new CallBudget(cancellationToken, _options.TotalTimeout, _timeProvider);
        return await ExecuteAsync(
            async timers =>
            {
                using (timers)
                {
                    return await base.GetResponseAsync(messages, options, timers.Token).ConfigureAwait(false);
                }
            },
            budget, LlmRequestInfo.TaskOrUntagged(options), streaming: false, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var budget = new CallBudget(cancellationToken, _options.TotalTimeout, _timeProvider);

        // Opening the stream and waiting for its first update is the retryable part.
        var start = await ExecuteAsync(
            async timers =>
            {
                var updates = base.GetStreamingResponseAsync(messages, options, timers.Token).GetAsyncEnumerator(timers.Token);
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        await updates.DisposeAsync().ConfigureAwait(false);
                        timers.Dispose();
                        return new StreamStart(null, null, null);
                    }

                    timers.FirstUpdateArrived();
                    return new StreamStart(updates, updates.Current, timers);
                }
                catch
                {
                    await updates.DisposeAsync().ConfigureAwait(false);
                    timers.Dispose();
                    throw;
                }
            },
            budget, LlmRequestInfo.TaskOrUntagged(options), streaming: true, cancellationToken).ConfigureAwait(false);

        if (start.Updates is null || start.First is null || start.Timers is null)
        {
            yield break;
        }

        // From here on the caller has output: a failure is reported, never retried or hidden.
        using var attemptTimers = start.Timers;
        var enumerator = start.Updates;
        try
        {
            var delivered = 0;
            var text = new StringBuilder();
            var update = start.First;
            while (true)
            {
                delivered++;
                text.Append(update.Text);
                yield return update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    throw new LlmStreamInterruptedException(delivered, text.ToString(), ExplainTimeout(ex, attemptTimers, budget) ?? ex);
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<T> ExecuteAsync<T>(
        Func<AttemptTimers, ValueTask<T>> attempt, CallBudget budget, string task, bool streaming, CancellationToken callerToken)
    {
        var context = ResilienceContextPool.Shared.Get(budget.Token);
        context.Properties.Set(BudgetKey, budget);
        context.Properties.Set(TaskKey, task);
        try
        {
            return await _pipeline.ExecuteAsync(
                async ctx =>
                {
                    var timers = new AttemptTimers(ctx.CancellationToken, _options, _timeProvider, streaming);
                    try
                    {
                        return await attempt(timers).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!callerToken.IsCancellationRequested && ExplainTimeout(ex, timers, budget: null) is { } timeout)
                    {
                        throw timeout;
                    }
                },
                context).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw new LlmCircuitOpenException(ex.RetryAfter is { } wait ? _timeProvider.GetUtcNow() + wait : null, ex);
        }
        catch (LlmProviderException ex) when (!callerToken.IsCancellationRequested && BeyondBudget(ex, budget) is { } remaining)
        {
            throw new LlmRetryAfterBeyondBudgetException(ex.RetryAfter!.Value, remaining, _timeProvider.GetUtcNow() + ex.RetryAfter.Value, ex);
        }
        catch (Exception ex) when (!callerToken.IsCancellationRequested && budget.Expired && ex is not LlmException)
        {
            throw new LlmTimeoutException(LlmTimeoutKind.Total, _options.TotalTimeout, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The timeout that caused <paramref name="exception"/>, if one of ours fired.</summary>
    private LlmTimeoutException? ExplainTimeout(Exception exception, AttemptTimers timers, CallBudget? budget)
    {
        if (exception is LlmTimeoutException own)
        {
            return own;
        }

        if (budget is { Expired: true })
        {
            return new LlmTimeoutException(LlmTimeoutKind.Total, _options.TotalTimeout, exception);
        }

        return timers.Fired switch
        {
            LlmTimeoutKind.FirstToken => new LlmTimeoutException(LlmTimeoutKind.FirstToken, _options.FirstTokenTimeout, exception),
            LlmTimeoutKind.Attempt => new LlmTimeoutException(LlmTimeoutKind.Attempt, _options.AttemptTimeout, exception),
            _ => null,
        };
    }

    /// <summary>Failures worth another attempt.</summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        LlmProviderException provider => provider.IsTransient,
        LlmTimeoutException timeout => timeout.Kind != LlmTimeoutKind.Total,
        HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// Failures that say the provider is unwell, counted by the breaker: transient ones except
    /// throttling, which says only that we (maybe one busy user) should slow down.
    /// </summary>
    internal static bool CountsAgainstProvider(Exception exception) =>
        IsTransient(exception) && exception is not LlmProviderException { StatusCode: 429 };

    /// <summary>What is left of the budget when the provider asked to wait longer than that; else null.</summary>
    private static TimeSpan? BeyondBudget(LlmProviderException exception, CallBudget budget) =>
        exception is { IsTransient: true, RetryAfter: { } requested } && budget.Remaining is var remaining && requested >= remaining
            ? remaining
            : null;

    private ResiliencePipeline BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _timeProvider };

        // Outside the retries: one call is one sample however many attempts it took, and an open
        // breaker fails the call before any attempt.
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = _options.FailureRatio,
            MinimumThroughput = _options.MinimumThroughput,
            SamplingDuration = _options.SamplingDuration,
            BreakDuration = _options.BreakDuration,
            ShouldHandle = args =>
            {
                if (args.Outcome.Exception is not { } ex || !CountsAgainstProvider(ex))
                {
                    return ValueTask.FromResult(false);
                }

                if (ex is LlmProviderException { RetryAfter: { } requested })
                {
                    args.Context.Properties.Set(RequestedPauseKey, requested);
                }

                return ValueTask.FromResult(true);
            },
            BreakDurationGenerator = args => ValueTask.FromResult(BreakDuration(args.Context)),
            OnOpened = args =>
            {
                LlmLog.CircuitOpened(_logger, args.BreakDuration.TotalSeconds);
                return default;
            },
            OnClosed = _ =>
            {
                LlmLog.CircuitClosed(_logger);
                return default;
            },
            OnHalfOpened = _ =>
            {
                LlmLog.CircuitHalfOpened(_logger);
                return default;
            },
        });

        // Polly requires at least one retry; zero means no retry strategy at all.
        if (_options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetryAttempts,
                // A pause beyond the budget is not waited for: the call fails at once (see ExecuteAsync).
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && IsTransient(ex)
                    && !(ex is LlmProviderException provider && args.Context.Properties.TryGetValue(BudgetKey, out var budget) && BeyondBudget(provider, budget) is not null)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryDelay(args.Outcome.Exception, args.AttemptNumber, args.Context)),
                OnRetry = args =>
                {
                    LlmLog.Retrying(
                        _logger, args.AttemptNumber + 1, args.Context.Properties.GetValue(TaskKey, LlmRequestInfo.UntaggedTask),
                        Reason(args.Outcome.Exception), (long)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    /// <summary>
    /// BreakDuration, or less when the failure that opened the breaker came with a Retry-After: a
    /// provider that asks for 2 s gets 2 s, not BreakDuration for every user.
    /// </summary>
    private TimeSpan BreakDuration(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestedPauseKey, out var requested) && requested < _options.BreakDuration
            ? (requested > MinimumBreak ? requested : MinimumBreak)
            : _options.BreakDuration;

    /// <summary>
    /// The provider's requested delay if it gave one, else exponential back-off with jitter;
    /// never more than MaxDelay nor than what is left of the total budget.
    /// </summary>
    private TimeSpan RetryDelay(Exception? exception, int attemptNumber, ResilienceContext context)
    {
        TimeSpan delay;
        if (exception is LlmProviderException { RetryAfter: { } requested })
        {
            delay = requested;
        }
        else
        {
            var exponential = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attemptNumber, 16));
            var capped = Math.Min(exponential, _options.MaxDelay.TotalMilliseconds);
            // "Equal jitter": at least half the back-off, so callers that failed together spread out.
            delay = TimeSpan.FromMilliseconds(capped / 2 + (Random.Shared.NextDouble() * capped / 2));
        }

        delay = delay < _options.MaxDelay ? delay : _options.MaxDelay;
        if (context.Properties.TryGetValue(BudgetKey, out var budget) && budget.Remaining < delay)
        {
            delay = budget.Remaining;
        }

        return delay;
    }

    private static string Reason(Exception? exception) => exception switch
    {
        LlmProviderException { StatusCode: { } status } => $"HTTP {status}",
        LlmProviderException => "network failure",
        LlmTimeoutException { Kind: LlmTimeoutKind.FirstToken } => "first-token timeout",
        LlmTimeoutException => "attempt timeout",
        null => "unknown",
        _ => exception.GetType().Name,
    };

    private sealed record StreamStart(IAsyncEnumerator<ChatResponseUpdate>? Updates, ChatResponseUpdate? First, AttemptTimers? Timers);

    /// <summary>The total budget of one call: cancels everything when it runs out.</summary>
    private sealed class CallBudget : IDisposable
    {
        private readonly CancellationTokenSource _cts;
        private readonly ITimer _timer;
        private readonly TimeProvider _timeProvider;
        private readonly long _started;
        private readonly TimeSpan _total;
        private volatile bool _expired;

        public CallBudget(CancellationToken callerToken, TimeSpan total, TimeProvider timeProvider)
        {
            _cts = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
            _timeProvider = timeProvider;
            _total = total;
            _started = timeProvider.GetTimestamp();
            _timer = timeProvider.CreateTimer(static state => ((CallBudget)state!).Expire(), this, total, Timeout.InfiniteTimeSpan);
        }

        public CancellationToken Token => _cts.Token;

        public bool Expired => _expired;

        public TimeSpan Remaining
        {
            get
            {
                var left = _total - _timeProvider.GetElapsedTime(_started);
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }

        public void Dispose()
        {
            _timer.Dispose();
            _cts.Dispose();
        }

        private void Expire()
        {
            _expired = true;
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call finished as the timer fired.
            }
        }
    }

    /// <summary>The attempt timeout, and for streams the first-token timeout, of one attempt.</summary>
    private sealed class AttemptTimers : IDisposable
    {
        private readonly CancellationTokenSource _cts;
        private readonly ITimer _attemptTimer;
        private readonly ITimer? _firstTokenTimer;
        private int _fired = -1;

        public AttemptTimers(CancellationToken callToken, LlmResilienceOptions options, TimeProvider timeProvider, bool streaming)
        {
            _cts = CancellationTokenSource.CreateLinkedTokenSource(callToken);
            _attemptTimer = timeProvider.CreateTimer(
                static state => ((AttemptTimers)state!).Fire(LlmTimeoutKind.Attempt), this, options.AttemptTimeout, Timeout.InfiniteTimeSpan);
            if (streaming)
            {
                _firstTokenTimer = timeProvider.CreateTimer(
                    static state => ((AttemptTimers)state!).Fire(LlmTimeoutKind.FirstToken), this, options.FirstTokenTimeout, Timeout.InfiniteTimeSpan);
            }
        }

        public CancellationToken Token => _cts.Token;

        public LlmTimeoutKind? Fired => Volatile.Read(ref _fired) is var fired and >= 0 ? (LlmTimeoutKind)fired : null;

        public void FirstUpdateArrived()
        {
            _firstTokenTimer?.Dispose();

            // The timer may have fired just before the update came in; then this attempt is already cancelled.
            if (Fired is { } kind)
            {
                throw new OperationCanceledException($"The {kind} timeout fired.", _cts.Token);
            }
        }

        public void Dispose()
        {
            _attemptTimer.Dispose();
            _firstTokenTimer?.Dispose();
            _cts.Dispose();
        }

        private void Fire(LlmTimeoutKind kind)
        {
            if (Interlocked.CompareExchange(ref _fired, (int)kind, -1) != -1)
            {
                return;
            }

            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt finished as the timer fired.
            }
        }
    }
}
