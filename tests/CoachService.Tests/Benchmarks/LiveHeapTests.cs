using System.Runtime.CompilerServices;
using CoachService.Benchmarks;

namespace CoachService.Tests.Benchmarks;

public sealed class LiveHeapTests
{
    [Fact]
    public async Task It_induces_a_full_collection_and_sees_what_is_live_and_not_the_garbage()
    {
        var before = await LiveHeap.MeasureAsync(Environment.ProcessId, TextWriter.Null);
        Assert.NotNull(before);
        var collections = GC.CollectionCount(2);

        // 64 MB kept alive, and 64 MB of garbage beside it: the measure counts the first and not the second.
        var kept = new byte[64 << 20];
        kept.AsSpan().Fill(1);
        Litter(64 << 20);

        var during = await LiveHeap.MeasureAsync(Environment.ProcessId, TextWriter.Null);
        Assert.True(GC.CollectionCount(2) > collections, "no full collection was induced");
        GC.KeepAlive(kept);
        kept = null;
        var after = await LiveHeap.MeasureAsync(Environment.ProcessId, TextWriter.Null);

        // Other tests run beside this one and allocate, so the bounds leave them 32 MB.
        Assert.NotNull(during);
        Assert.NotNull(after);
        Assert.InRange(during.Value - before.Value, 32L << 20, 96L << 20);
        Assert.InRange(during.Value - after.Value, 32L << 20, 96L << 20);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Litter(int bytes) => new byte[bytes].AsSpan().Fill(1);
}
