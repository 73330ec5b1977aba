using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace CoachService.Benchmarks;

/// <summary>
/// Counts the methods the service's JIT compiles (the runtime's JIT events over an EventPipe session), so
/// that the warm-up can go on until tiered compilation has finished with the paths a phase runs. The tiering
/// delay holds call counting back while new methods keep being compiled, so a service that has just served
/// its first turns recompiles its hot paths at tier 1 only under the next load; a phase measured then
/// measures the JIT (38 % of the service's CPU samples in a ceiling phase after a 200-turn warm-up).
/// </summary>
public sealed class JitWatch : IAsyncDisposable
{
    private const long JitKeyword = 0x10;
    private readonly EventPipeSession session;
    private readonly Task reading;
    private long compiled;

    private JitWatch(EventPipeSession session)
    {
        this.session = session;
        reading = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            source.Clr.MethodLoadVerbose += _ => Interlocked.Increment(ref compiled);
            source.Process();
        });
    }

    /// <summary>Methods compiled since the watch started.</summary>
    public long Compiled => Interlocked.Read(ref compiled);

    /// <summary>Starts watching; null (with the reason in the log) when the service's diagnostic port cannot be reached.</summary>
    public static JitWatch? TryStart(int pid, TextWriter log)
    {
        try
        {
            var client = new DiagnosticsClient(pid);
            var session = client.StartEventPipeSession(
                [new EventPipeProvider(ClrTraceEventParser.ProviderName, System.Diagnostics.Tracing.EventLevel.Verbose, JitKeyword)],
                requestRundown: false);
            return new JitWatch(session);
        }
        catch (Exception e) when (e is ServerNotAvailableException or DiagnosticsClientException or UnauthorizedAccessException or IOException or TimeoutException)
        {
            log.WriteLine($"JIT not watched ({e.GetType().Name}: {e.Message}); the warm-up runs its rounds without that check");
            return null;
        }
    }

    public ValueTask DisposeAsync() => StopAsync(session, reading);

    /// <summary>Stops an EventPipe session and waits (at most 10 s) for its reader to finish; a gone process ends it by itself.</summary>
    internal static async ValueTask StopAsync(EventPipeSession session, Task reading)
    {
        try
        {
            session.Stop();
        }
        catch (Exception e) when (e is ServerNotAvailableException or DiagnosticsClientException or IOException or TimeoutException)
        {
            // The process has gone: the stream ends by itself.
        }

        await reading.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        session.Dispose();
    }
}
