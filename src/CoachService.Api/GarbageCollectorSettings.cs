using System.Globalization;

namespace CoachService.Api;

/// <summary>
/// The garbage collector's settings in effect, as start-up logs them: the service turns server GC's dynamic
/// adaptation (DATAS) off in its runtimeconfig.json, and an operator may turn it back on, or change anything
/// else, with <c>DOTNET_GC…</c> variables (docs/decisions/garbage-collector.md), so the log says which it runs with.
/// </summary>
public static class GarbageCollectorSettings
{
    /// <summary>One line, e.g. "server, 2 heaps, DATAS off, concurrent".</summary>
    public static string Describe() => Describe(GC.GetConfigurationVariables());

    /// <summary>The line for the runtime's configuration variables (the keys of <see cref="GC.GetConfigurationVariables"/>).</summary>
    public static string Describe(IReadOnlyDictionary<string, object> variables)
    {
        var server = Flag(variables, "ServerGC");
        var heaps = variables.TryGetValue("HeapCount", out var count) ? Convert.ToInt64(count, CultureInfo.InvariantCulture) : 1;
        var parts = new List<string> { server ? "server" : "workstation" };
        if (!server)
        {
            parts.Add("1 heap");
        }
        else if (variables.TryGetValue("GCDynamicAdaptationMode", out var mode) && Convert.ToInt64(mode, CultureInfo.InvariantCulture) == 1)
        {
            // DATAS starts with one heap and adapts the count; the variable is the most it may use.
            parts.Add($"DATAS on (heaps adapt, up to {heaps})");
        }
        else
        {
            parts.Add($"{heaps} {(heaps == 1 ? "heap" : "heaps")}");
            parts.Add("DATAS off");
        }

        parts.Add(Flag(variables, "ConcurrentGC") ? "concurrent" : "not concurrent");
        return string.Join(", ", parts);
    }

    private static bool Flag(IReadOnlyDictionary<string, object> variables, string key) =>
        variables.TryGetValue(key, out var value) && value is true;
}
