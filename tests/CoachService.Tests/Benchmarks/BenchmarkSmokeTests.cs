using CoachService.Benchmarks;

namespace CoachService.Tests.Benchmarks;

/// <summary>
/// A smoke-sized run of the benchmark, so that it cannot rot: the built service in its own process,
/// the fake model, a few SignalR clients and a couple of turns each. It asserts the report's
/// cross-checks, never a speed.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    private static readonly TimeSpan ModelFirstToken = TimeSpan.FromMilliseconds(60);

    [Fact]
    public async Task A_small_run_stores_every_turn_once_and_measures_the_added_latency_from_the_models_own_first_token()
    {
        var options = new BenchmarkOptions
        {
            Connected = 4,
            Talking = [2],
            TurnsPerTalker = 2,
            TurnsPerSession = 2,
            ThinkTime = TimeSpan.FromMilliseconds(50),
            PhaseDuration = TimeSpan.FromSeconds(60),
            Counters = false,
            SettleTime = TimeSpan.FromMilliseconds(200),
            WarmUpTalkers = 1,
            WarmUpTurns = 2,
            WarmUpRounds = 1,
            SettleTimeout = TimeSpan.FromSeconds(1),
            Model = new FakeModelOptions { TimeToFirstToken = ModelFirstToken, TokensPerSecond = 400, StructuredDelay = TimeSpan.FromMilliseconds(20) },
        };

        var result = await BenchmarkRun.RunAsync(options, TextWriter.Null).WaitAsync(TimeSpan.FromMinutes(4));

        var phase = Assert.Single(result.Phases);
        Assert.Empty(phase.Errors);
        Assert.Equal(4, phase.Sent);
        Assert.Equal(4, phase.Completed);
        // Two warm-up turns, two more from each of the phase's talkers at load (WarmUpLoadTurns) and the phase's four,
        // each stored once with its reply and its snapshot.
        Assert.True(result.Audit.Clean, string.Join("\n", result.Audit.Problems));
        Assert.Equal(10, result.Audit.Sent);
        Assert.Equal(10, result.Audit.StoredOnce);
        Assert.Equal(0, result.SchemaInvalidAnswers);
        // The built service runs server GC without DATAS (docs/decisions/garbage-collector.md) and says so.
        Assert.Equal("server", result.ServiceGarbageCollector?.Split(", ")[0]);
        Assert.Contains("DATAS off", result.ServiceGarbageCollector, StringComparison.Ordinal);
        // The live heap is measured before and after the connections open, whatever the collector's budgets.
        Assert.True(result.Idle.LiveHeapBefore > 0, $"live heap before {result.Idle.LiveHeapBefore}");
        Assert.True(result.Idle.LiveHeapAfter > 0, $"live heap after {result.Idle.LiveHeapAfter}");

        // Every turn was tied to its own reply request at the fake model, whose first token came after its delay.
        Assert.Equal(0, phase.Unmatched);
        Assert.Equal(4, phase.AddedFirstChunk.Count);
        Assert.Equal(4, phase.AddedFirstSentence.Count);
        Assert.True(phase.ModelFirstToken.P50 >= ModelFirstToken.TotalMilliseconds, $"model first token {phase.ModelFirstToken}");
        // Added = what the client saw minus what the model took: the model's wait is not in it.
        Assert.True(phase.AddedFirstChunk.Max <= phase.ClientFirstChunk.Max - ModelFirstToken.TotalMilliseconds + 1,
            $"added {phase.AddedFirstChunk}, client {phase.ClientFirstChunk}");
        // A turn that needs no tool waits for exactly one model request: its reply.
        Assert.Equal(new Dictionary<int, int> { [1] = 4 }, phase.CallsBeforeFirstToken);

        var direct = Assert.IsType<PhaseResult>(result.Direct);
        Assert.Empty(direct.Errors);
        Assert.Equal(4, direct.Completed);

        var ownGc = Assert.IsType<ClientGc>(phase.ClientGc);
        Assert.True(ownGc.Gen0 >= ownGc.Gen1 && ownGc.Gen1 >= ownGc.Gen2 && ownGc.Gen2 >= 0 && ownGc.PauseMs >= 0, $"the benchmark's own GC {ownGc}");

        // Sessions of two turns: whatever place in its session each talker drew after the load round, each opened one
        // session in its two turns.
        Assert.Equal(2, phase.AddedFirstChunkOpeningSession?.Count);

        // The service's pools hold their connections between turns, and the benchmark's own reading is not one of them.
        var connections = Assert.IsType<ConnectionCount>(phase.DatabaseConnections);
        Assert.True(connections.Start >= 1 && connections.After >= 1, $"the service's PostgreSQL connections {connections}");

        var report = BenchmarkReport.Markdown(result, "smoke");
        Assert.Contains("10 stored exactly once", report, StringComparison.Ordinal);
        Assert.Contains("the service's PostgreSQL connections: ", report, StringComparison.Ordinal);
        Assert.Contains("the benchmark's own garbage collector", report, StringComparison.Ordinal);
        Assert.Contains("<polyline", BenchmarkReport.Chart(result.Phases, "smoke"), StringComparison.Ordinal);
    }
}
