using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace CoachService.Benchmarks;

/// <summary>One stop of a process's managed threads for a collection, on the benchmark's Stopwatch clock.</summary>
public sealed record GcPause(string Process, double StartMs, double DurationMs, int Generation);

/// <summary>
/// The garbage collector's pauses of one process (the service's, or the benchmark's own), from the runtime's GC
/// events over an EventPipe session: each pause from the suspension's start to the restart's end. A turn whose
/// first chunk is late while a pause stands is late because of it; the report sets both side by side.
/// The events' wall-clock times are put on the Stopwatch clock through one reading of both taken at the start.
/// </summary>
public sealed class GcWatch : IAsyncDisposable
{
    private const long GcKeyword = 0x1;
    private readonly EventPipeSession session;
    private readonly Task reading;
    private readonly ConcurrentQueue<GcPause> pauses = new();
    private readonly DateTime anchorUtc = DateTime.UtcNow;
    private readonly double anchorMs = Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;

    private GcWatch(string name, EventPipeSession session)
    {
        this.session = session;
        reading = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var suspendedAt = (DateTime?)null;
            var generation = -1;
            source.Clr.GCStart += data => generation = data.Depth;
            // Only the suspensions a collection makes; the runtime suspends for other reasons too (a debugger, a rejit).
            source.Clr.GCSuspendEEStart += data => suspendedAt = data.Reason is GCSuspendEEReason.SuspendForGC or GCSuspendEEReason.SuspendForGCPrep
                ? data.TimeStamp.ToUniversalTime()
                : null;
            source.Clr.GCRestartEEStop += data =>
            {
                if (suspendedAt is { } start)
                {
                    var end = data.TimeStamp.ToUniversalTime();
                    pauses.Enqueue(new GcPause(name, anchorMs + (start - anchorUtc).TotalMilliseconds, (end - start).TotalMilliseconds, generation));
                    suspendedAt = null;
                }
            };
            source.Process();
        });
    }

    /// <summary>Pauses seen so far.</summary>
    public IReadOnlyList<GcPause> Pauses => pauses.ToList();

    /// <summary>Starts watching the process; null (with the reason in the log) when its diagnostic port cannot be reached.</summary>
    public static GcWatch? TryStart(string name, int pid, TextWriter log)
    {
        try
        {
            var client = new DiagnosticsClient(pid);
            var session = client.StartEventPipeSession(
                [new EventPipeProvider(ClrTraceEventParser.ProviderName, System.Diagnostics.Tracing.EventLevel.Informational, GcKeyword)],
                requestRundown: false);
            return new GcWatch(name, session);
        }
        catch (Exception e) when (e is ServerNotAvailableException or DiagnosticsClientException or UnauthorizedAccessException or IOException or TimeoutException)
        {
            log.WriteLine($"GC pauses of the {name} not watched ({e.GetType().Name}: {e.Message})");
            return null;
        }
    }

    public ValueTask DisposeAsync() => JitWatch.StopAsync(session, reading);
}
