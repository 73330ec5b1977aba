using Microsoft.Extensions.Time.Testing;

namespace CoachService.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also remembers the due time of every timer created or
/// changed, so a test can assert the delay a retry strategy chose (FakeTimeProvider does not expose
/// its timers) before it advances the clock past it.
/// </summary>
public sealed class DelayRecordingTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _requestedDelays = [];

    /// <summary>Every finite due time of every timer created or changed, in order.</summary>
    public IReadOnlyList<TimeSpan> RequestedDelays
    {
        get
        {
            lock (_lock)
            {
                return _requestedDelays.ToList();
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Record(dueTime);
        return new RecordingTimer(this, base.CreateTimer(callback, state, dueTime, period));
    }

    /// <summary>Waits (in real time) until a timer of exactly <paramref name="delay"/> has been asked for.</summary>
    public async Task WaitForRequestedDelayAsync(TimeSpan delay, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!RequestedDelays.Contains(delay))
        {
            await Task.Delay(5, cts.Token).ConfigureAwait(false);
        }
    }

    private void Record(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_lock)
            {
                _requestedDelays.Add(dueTime);
            }
        }
    }

    private sealed class RecordingTimer(DelayRecordingTimeProvider owner, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Record(dueTime);
            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
