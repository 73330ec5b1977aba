using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace CoachService.Benchmarks;

/// <summary>
/// The service's live managed heap: a full, blocking collection induced over an EventPipe session (the runtime
/// collects when a session asks for the GC-heap-collect keyword, as <c>dotnet-gcdump</c> does), and the sizes
/// of the generations after it, from that collection's heap statistics event. Unlike the counters' "heap after the
/// last collection", it does not depend on a collection having happened, and unlike RSS, not on how much
/// garbage the collector lets pile up before it collects (its budgets, which a GC setting changes).
/// </summary>
public static class LiveHeap
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>Bytes live after an induced full collection; null (with the reason in the log) when it could not be had in 30 s.</summary>
    public static async Task<long?> MeasureAsync(int pid, TextWriter log)
    {
        EventPipeSession session;
        try
        {
            session = new DiagnosticsClient(pid).StartEventPipeSession(
                [new EventPipeProvider(ClrTraceEventParser.ProviderName, System.Diagnostics.Tracing.EventLevel.Informational, GcKeyword | GcHeapCollectKeyword)],
                requestRundown: false);
        }
        catch (Exception e) when (e is ServerNotAvailableException or DiagnosticsClientException or UnauthorizedAccessException or IOException or TimeoutException)
        {
            log.WriteLine($"live heap not measured ({e.GetType().Name}: {e.Message})");
            return null;
        }

        var measured = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var induced = false;
            source.Clr.GCStart += data => induced = data.Reason == GCReason.Induced && data.Depth == 2;
            source.Clr.GCHeapStats += data =>
            {
                if (induced)
                {
                    measured.TrySetResult(data.TotalHeapSize);
                }
            };
            source.Process();
        });

        try
        {
            return await measured.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            log.WriteLine("live heap not measured (no induced collection within 30 s)");
            return null;
        }
        finally
        {
            await JitWatch.StopAsync(session, reading);
        }
    }
}
