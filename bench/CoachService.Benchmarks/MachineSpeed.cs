using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace CoachService.Benchmarks;

/// <summary>
/// How fast this machine was during a run, so runs of different hours can be compared: a fixed single-threaded
/// task timed before and after the run (on a shared VM it took anywhere from 136 to 256 ms from one minute to the next), and the CPU
/// time the hypervisor took from the VM over the run (the steal column of /proc/stat).
/// </summary>
public sealed class MachineSpeed
{
    private const int Rounds = 5;
    private const int HashesPerRound = 200_000;

    private readonly double[] _before;
    private readonly CpuTimes? _from;

    private MachineSpeed(double[] before, CpuTimes? from)
    {
        _before = before;
        _from = from;
    }

    /// <summary>Times the fixed task now and starts counting stolen time.</summary>
    public static MachineSpeed Start() => new(Measure(), CpuTimes.Read());

    /// <summary>The task's median time before and after, in ms, and the share of CPU time stolen in between.</summary>
    public string Finish()
    {
        var after = Measure();
        var steal = CpuTimes.Read() is { } to && _from is { } from && to.Total > from.Total
            ? ((to.Steal - from.Steal) * 100.0 / (to.Total - from.Total)).ToString("0.0", CultureInfo.InvariantCulture) + " %"
            : "unknown";
        return string.Create(CultureInfo.InvariantCulture,
            $"a fixed single-threaded task (SHA-256 chain of {HashesPerRound:N0}, median of {Rounds}) took {Median(_before):0} ms before the run and {Median(after):0} ms after; CPU time stolen by the hypervisor during the run {steal}");
    }

    private static double[] Measure()
    {
        var digest = new byte[32];
        var times = new double[Rounds];
        for (var round = 0; round < Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < HashesPerRound; i++)
            {
                SHA256.HashData(digest, digest);
            }

            times[round] = clock.Elapsed.TotalMilliseconds;
        }

        return times;
    }

    private static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

    /// <summary>The all-CPU line of /proc/stat, in clock ticks.</summary>
    private sealed record CpuTimes(long Total, long Steal)
    {
        public static CpuTimes? Read()
        {
            if (!File.Exists("/proc/stat"))
            {
                return null;
            }

            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is counted in user already)
            var ticks = fields.Skip(1).Take(8).Select(long.Parse).ToArray();
            return ticks.Length < 8 ? null : new CpuTimes(ticks.Sum(), ticks[7]);
        }
    }
}
