using System.Diagnostics;
using System.Globalization;

namespace CoachService.Benchmarks;

/// <summary>One reading of the service's runtime counters (System.Runtime meter), summed over its dimensions.</summary>
public sealed record CounterReading(DateTime At, string Name, double Value);

/// <summary>
/// The service's own runtime counters (GC heap, allocations, thread pool), collected by
/// <c>dotnet-counters</c> (a local tool of this repository: <c>dotnet tool restore</c>) into a CSV file
/// for the length of a run. Absent tool: the report says so and keeps the /proc figures.
/// </summary>
public sealed class RuntimeCounters : IAsyncDisposable
{
    public const string GcHeap = "dotnet.gc.last_collection.heap.size";
    public const string Allocated = "dotnet.gc.heap.total_allocated";
    public const string ThreadPoolQueue = "dotnet.thread_pool.queue.length";

    private readonly Process? _process;
    private readonly string _file;

    private RuntimeCounters(Process? process, string file)
    {
        _process = process;
        _file = file;
    }

    public bool Running => _process is { HasExited: false };

    public static async Task<RuntimeCounters> StartAsync(int pid, string folder)
    {
        var file = Path.Combine(folder, $"counters-{pid}.csv");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "tool", "run", "dotnet-counters", "collect", "-p", pid.ToString(CultureInfo.InvariantCulture),
                     "--counters", "System.Runtime", "--format", "csv", "-o", file, "--refresh-interval", "1" })
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // Give the EventPipe session a moment to attach before the run starts.
            await Task.Delay(TimeSpan.FromSeconds(2));
            return new RuntimeCounters(process.HasExited ? null : process, file);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new RuntimeCounters(null, file);
        }
    }

    /// <summary>Stops collecting and reads what was collected; empty when the tool did not run.</summary>
    public async Task<IReadOnlyList<CounterReading>> StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using (var stop = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await stop.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }
        }

        return File.Exists(_file) ? Parse(await File.ReadAllLinesAsync(_file)) : [];
    }

    /// <summary>
    /// dotnet-counters' CSV: Timestamp, Provider, Counter Name (with its unit and dimensions), Counter Type,
    /// Mean/Increment. Readings of one counter at one time are summed over their dimensions (GC generations).
    /// </summary>
    public static IReadOnlyList<CounterReading> Parse(IReadOnlyList<string> lines)
    {
        var readings = new Dictionary<(DateTime, string), double>();
        foreach (var line in lines.Skip(1))
        {
            var fields = SplitCsv(line);
            if (fields.Count < 5
                || !DateTime.TryParse(fields[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at)
                || !double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var name = fields[2].Split(' ', 2)[0];
            readings[(at, name)] = readings.GetValueOrDefault((at, name)) + value;
        }

        return readings.Select(r => new CounterReading(r.Key.Item1, r.Key.Item2, r.Value)).OrderBy(r => r.At).ToList();
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
