using System.Runtime.CompilerServices;
using CoachService.Benchmarks;

namespace CoachService.Tests.Benchmarks;

/// <summary>
/// The live heap of the whole test process is measured, so nothing may run beside it: a collection that does not
/// run in parallel runs alone, after the others (in CI, another test's hosts freed 63 MB between two readings).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}

[Collection(AloneCollection.Name)]
public sealed class LiveHeapTests
{
    [Fact]
    public async Task It_induces_a_full_collection_and_sees_what_is_live_and_not_the_garbage()
    {
        // In CI, 10.6 MB of the rest of the process went between the first two readings. What earlier tests left for
        // their finalizers is still live in a first full collection and gone in the next; finalised first, it is in
        // neither reading.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = await LiveHeap.MeasureAsync(Environment.ProcessId, TextWriter.Null);
        Assert.NotNull(before);
        var collections = GC.CollectionCount(2);

        // 128 MB kept alive, and 128 MB of garbage beside it: the measure counts the first and not the second.
        var kept = new byte[Size];
        kept.AsSpan().Fill(1);
        Litter(Size);

        var during = await LiveHeap.MeasureAsync(Environment.ProcessId, TextWriter.Null);
        Assert.True(GC.CollectionCount(2) > collections, "no full collection was induced");
        GC.KeepAlive(kept);
        kept = null;
        var after = await LiveHeap.MeasureAsync(Environment.ProcessId, TextWriter.Null);

        // Nothing runs beside this test, but the runtime's own threads and the diagnostics sessions allocate a little.
        Assert.NotNull(during);
        Assert.NotNull(after);
        Assert.InRange(during.Value - before.Value, Size - Slack, Size + Slack);
        Assert.InRange(during.Value - after.Value, Size - Slack, Size + Slack);
    }

    private const int Size = 128 << 20;
    private const int Slack = 16 << 20;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Litter(int bytes) => new byte[bytes].AsSpan().Fill(1);
}
