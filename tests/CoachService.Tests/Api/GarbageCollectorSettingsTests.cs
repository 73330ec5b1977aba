using CoachService.Api;

namespace CoachService.Tests.Api;

public sealed class GarbageCollectorSettingsTests
{
    [Fact]
    public void Server_gc_says_its_heaps_and_whether_datas_is_on()
    {
        Assert.Equal("server, 2 heaps, DATAS off, concurrent", GarbageCollectorSettings.Describe(new Dictionary<string, object>
        {
            ["ServerGC"] = true, ["HeapCount"] = 2L, ["GCDynamicAdaptationMode"] = 0L, ["ConcurrentGC"] = true,
        }));
        Assert.Equal("server, DATAS on (heaps adapt, up to 2), not concurrent", GarbageCollectorSettings.Describe(new Dictionary<string, object>
        {
            ["ServerGC"] = true, ["HeapCount"] = 2L, ["GCDynamicAdaptationMode"] = 1L, ["ConcurrentGC"] = false,
        }));
    }

    [Fact]
    public void Workstation_gc_has_no_datas_to_speak_of()
    {
        Assert.Equal("workstation, 1 heap, concurrent", GarbageCollectorSettings.Describe(new Dictionary<string, object>
        {
            ["ServerGC"] = false, ["HeapCount"] = 2L, ["GCDynamicAdaptationMode"] = 1L, ["ConcurrentGC"] = true,
        }));
    }

    [Fact]
    public void This_process_is_described_from_the_runtimes_own_variables()
    {
        var line = GarbageCollectorSettings.Describe();
        Assert.StartsWith(System.Runtime.GCSettings.IsServerGC ? "server, " : "workstation, ", line, StringComparison.Ordinal);
        Assert.Contains(System.Runtime.GCSettings.IsServerGC ? "DATAS" : "1 heap", line, StringComparison.Ordinal);
    }
}
