using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace CoachService.Benchmarks;

/// <summary>
/// A CPU profile of the service during a phase: <c>dotnet-trace collect-linux --profile cpu-sampling</c>
/// (the kernel's perf events, so only threads on a CPU are sampled, native and kernel frames included;
/// it needs root and a kernel with user_events), summarised by who owns each sample: the innermost
/// CoachService frame on its stack, or else the library or runtime part it is in.
/// </summary>
public static partial class CpuProfile
{
    /// <summary>Collects for <paramref name="duration"/>; the trace file, or null (with the reason in the log) when the tool could not.</summary>
    public static async Task<string?> CollectAsync(int pid, TimeSpan duration, string file, TextWriter log)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "tool", "run", "dotnet-trace", "collect-linux", "-p", pid.ToString(CultureInfo.InvariantCulture),
                     "--profile", "cpu-sampling", "--duration", duration.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture), "-o", file })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !File.Exists(file))
        {
            log.WriteLine($"CPU profile not taken (dotnet-trace collect-linux exit {process.ExitCode}): {(await error + await output).Trim().Split('\n').LastOrDefault()}");
            return null;
        }

        return file;
    }

    /// <summary>The share of the samples each owner has, largest first, as a Markdown table.</summary>
    public static string Summarise(string traceFile, int top = 40)
    {
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        using (var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(traceFile)))
        {
            foreach (var e in log.Events)
            {
                if (e.CallStack() is not { } stack)
                {
                    continue;
                }

                var frames = new List<string>();
                for (var s = stack; s is not null; s = s.Caller)
                {
                    frames.Add(s.CodeAddress.FullMethodName is { Length: > 0 } name ? name : s.CodeAddress.ModuleName + "!?");
                }

                var owner = OwnerOf(frames);
                owners[owner] = owners.GetValueOrDefault(owner) + 1;
                total++;
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{total} CPU samples of the service; each is owned by the innermost CoachService frame on its stack, or else the part it is in.");
        text.AppendLine();
        text.AppendLine("| share | owner |");
        text.AppendLine("|---|---|");
        foreach (var (owner, count) in owners.OrderByDescending(o => o.Value).Take(top))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {100.0 * count / Math.Max(1, total):0.0} % | `{owner}` |");
        }

        return text.ToString();
    }

    private static readonly (Regex Pattern, string Name)[] Parts =
    [
        (new("libclrjit", RegexOptions.CultureInvariant), "the JIT (tiered compilation)"),
        (new("gc_heap|GCHeap|WKS::|SVR::|GarbageCollect", RegexOptions.CultureInvariant), "the garbage collector"),
        (new("Microsoft.AspNetCore.SignalR", RegexOptions.CultureInvariant), "SignalR"),
        (new("Kestrel", RegexOptions.CultureInvariant), "Kestrel"),
        (new("Npgsql", RegexOptions.CultureInvariant), "Npgsql, outside our frames"),
        (new("EntityFrameworkCore", RegexOptions.CultureInvariant), "EF Core, outside our frames"),
        (new("SemanticKernel", RegexOptions.CultureInvariant), "Semantic Kernel, outside our frames"),
        (new("Microsoft.Extensions.AI", RegexOptions.CultureInvariant), "Microsoft.Extensions.AI, outside our frames"),
        (new("OpenAI", RegexOptions.CultureInvariant), "the OpenAI SDK, outside our frames"),
        (new("System.Net.Http", RegexOptions.CultureInvariant), "HttpClient"),
        (new("System.Net.Sockets", RegexOptions.CultureInvariant), "sockets"),
        (new("LowLevelLifoSemaphore", RegexOptions.CultureInvariant), "thread pool spinning and waking"),
        (new("System.Text.Json", RegexOptions.CultureInvariant), "System.Text.Json"),
    ];

    // frames: innermost first.
    private static string OwnerOf(List<string> frames)
    {
        if (frames.FirstOrDefault(f => f.StartsWith("CoachService.", StringComparison.Ordinal)) is { } ours)
        {
            return ArgumentList().Replace(ours, "");
        }

        foreach (var (pattern, name) in Parts)
        {
            if (frames.Any(pattern.IsMatch))
            {
                return name;
            }
        }

        return "other (runtime, kernel)";
    }

    [GeneratedRegex(@"\(.*$")]
    private static partial Regex ArgumentList();
}
