using System.Diagnostics;
using System.Globalization;

namespace CoachService.Benchmarks;

/// <summary>CPU time and resident memory of a group of processes at one moment, read from /proc (Linux).</summary>
public readonly record struct UsageSample(long At, TimeSpan Cpu, long RssBytes);

/// <summary>
/// Reads the CPU time and RSS of the service, of PostgreSQL (the postmaster and every backend it
/// forked) and of the benchmark's own process, so that a report can say which one saturates.
/// </summary>
public static class ProcessUsage
{
    // USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every Linux the service runs on.
    private const double TicksPerSecond = 100;

    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>One process.</summary>
    public static UsageSample Of(int pid) => Sum([pid]);

    /// <summary>A process and its direct children (PostgreSQL's backends are the postmaster's children).</summary>
    public static UsageSample OfTree(int pid) => Sum([pid, .. ChildrenOf(pid)]);

    public static UsageSample Self()
    {
        using var self = Process.GetCurrentProcess();
        return new UsageSample(Stopwatch.GetTimestamp(), self.TotalProcessorTime, self.WorkingSet64);
    }

    private static UsageSample Sum(IEnumerable<int> pids)
    {
        var cpu = 0L;
        var rss = 0L;
        foreach (var pid in pids)
        {
            if (Stat(pid) is { } stat)
            {
                cpu += stat.Ticks;
                rss += stat.RssPages * PageSize;
            }
        }

        return new UsageSample(Stopwatch.GetTimestamp(), TimeSpan.FromSeconds(cpu / TicksPerSecond), rss);
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } stat && stat.Parent == parent)
            {
                yield return pid;
            }
        }
    }

    private static (int Parent, long Ticks, long RssPages)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, rss 24.
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[21], CultureInfo.InvariantCulture));
    }
}

/// <summary>CPU used between two samples, as a share of one core (100 % = one core busy).</summary>
public static class UsageMath
{
    public static double CorePercent(UsageSample from, UsageSample to)
    {
        var wall = Stopwatch.GetElapsedTime(from.At, to.At).TotalSeconds;
        return wall <= 0 ? 0 : 100 * (to.Cpu - from.Cpu).TotalSeconds / wall;
    }
}
