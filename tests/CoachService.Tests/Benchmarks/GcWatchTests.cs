using System.Diagnostics;
using CoachService.Benchmarks;

namespace CoachService.Tests.Benchmarks;

public sealed class GcWatchTests
{
    [Fact]
    public async Task It_sees_a_collection_of_the_process_on_the_stopwatch_clock()
    {
        var watch = GcWatch.TryStart("test", Environment.ProcessId, TextWriter.Null);
        Assert.NotNull(watch);
        var before = Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;

        // Collections until one is seen: the events reach the session a little after the pause.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (watch.Pauses.Count(p => p.Generation == 2) == 0 && DateTime.UtcNow < deadline)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            await Task.Delay(100);
        }

        var after = Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
        await watch.DisposeAsync();
        Assert.Contains(watch.Pauses, p => p.Generation == 2);
        var pause = watch.Pauses.First(p => p.Generation == 2);
        Assert.Equal("test", pause.Process);
        Assert.True(pause.DurationMs >= 0, $"pause of {pause.DurationMs} ms");
        // Put on the Stopwatch clock through one wall-clock reading: within the loop, give or take the sync's rounding.
        Assert.InRange(pause.StartMs, before - 50, after + 50);
    }

    [Fact]
    public void The_benchmarks_own_collections_are_counted_over_a_phase()
    {
        var start = ClientGc.Now();
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        var phase = ClientGc.Now().Since(start);

        // The runtime counts a gen2 collection as one of gen1 and gen0 too; other tests may collect meanwhile.
        Assert.True(phase.Gen0 >= 2, $"{phase}");
        Assert.True(phase.Gen2 >= 1, $"{phase}");
        Assert.True(phase.PauseMs > 0, $"{phase}");
    }

    [Fact]
    public void A_turns_added_time_is_outside_the_models_wait_and_a_pause_covers_only_that()
    {
        var turn = new TurnTiming("t", SentMs: 1000, RequestMs: 1004, FirstTokenMs: 1304, FirstChunkMs: 1310, OpensSession: true);
        Assert.Equal(10, turn.AddedMs, 3);

        // Inside the model's wait: none of the added time.
        Assert.Equal(0, turn.Covered(new GcPause("service", 1100, 50, 0)), 3);
        // Over the request's send (2 ms of it) and over the first chunk's delivery (5 ms of it).
        Assert.Equal(2, turn.Covered(new GcPause("service", 1002, 30, 0)), 3);
        Assert.Equal(5, turn.Covered(new GcPause("benchmark", 1305, 60, 1)), 3);

        var csv = TurnTiming.Csv([turn]).Split('\n');
        Assert.Equal("turn,sent_ms,request_ms,first_token_ms,first_chunk_ms,added_first_chunk_ms,opens_session", csv[0]);
        Assert.Equal("t,1000.000,1004.000,1304.000,1310.000,10.000,1", csv[1]);
    }
}
