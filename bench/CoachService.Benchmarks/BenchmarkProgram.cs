using System.CommandLine;
using System.Globalization;

namespace CoachService.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/CoachService.Benchmarks -- --connected 1000 --talking 200</c>:
/// see docs/BENCHMARKS.md. Exits 1 when a turn failed or the database check found a problem.
/// </summary>
public static class BenchmarkProgram
{
    public static Task<int> Main(string[] args)
    {
        var connected = new Option<int>("--connected") { Description = "Clients connected to the hub (the idle ones never talk).", DefaultValueFactory = _ => 1000 };
        var talking = new Option<string>("--talking") { Description = "Concurrent talkers; a comma-separated list runs one phase per value and charts them.", DefaultValueFactory = _ => "200" };
        var turns = new Option<int>("--turns") { Description = "Turns each talker sends in a phase.", DefaultValueFactory = _ => 10 };
        var perSession = new Option<int>("--turns-per-session") { Description = "Turns per session; then a new session starts.", DefaultValueFactory = _ => 5 };
        var think = new Option<int>("--think-ms") { Description = "Pause after a reply before the next turn.", DefaultValueFactory = _ => 500 };
        var duration = new Option<int>("--phase-seconds") { Description = "A phase starts no new turn after this long.", DefaultValueFactory = _ => 60 };
        var ttft = new Option<int>("--ttft-ms") { Description = "The fake model's time to first token.", DefaultValueFactory = _ => 300 };
        var rate = new Option<double>("--tokens-per-second") { Description = "The fake model's streaming pace; 0: all at once.", DefaultValueFactory = _ => 50 };
        var json = new Option<int>("--json-delay-ms") { Description = "Delay of every structured answer.", DefaultValueFactory = _ => 300 };
        var taskDelay = new Option<string[]>("--task-delay") { Description = "A structured task's own delay, e.g. safety_screen=150 (repeatable).", AllowMultipleArgumentsPerToken = true };
        var ceiling = new Option<bool>("--ceiling") { Description = "Model delays and think time near zero: the throughput ceiling with full persistence." };
        var voice = new Option<bool>("--voice") { Description = "Voice clients: a partial transcript per word every 250 ms, SendTurn 300-700 ms after the last word." };
        var noDirect = new Option<bool>("--no-direct") { Description = "Skip the run straight against the fake model." };
        var noCounters = new Option<bool>("--no-counters") { Description = "Do not collect the service's runtime counters with dotnet-counters." };
        var instances = new Option<int>("--instances") { Description = "Instances of the service on one database and a local redis-server; clients alternate between them.", DefaultValueFactory = _ => 1 };
        var jitter = new Option<double>("--think-jitter") { Description = "Pauses drawn from think time x [1 - j, 1 + j], first turns spread over one turn's cycle; 0: every talker in step.", DefaultValueFactory = _ => 0.5 };
        var warmUpTalkers = new Option<int>("--warm-up-talkers") { Description = "Talkers of the warm-up (stored and checked, not measured).", DefaultValueFactory = _ => 20 };
        var warmUpTurns = new Option<int>("--warm-up-turns") { Description = "Turns each warm-up talker sends.", DefaultValueFactory = _ => 10 };
        var warmUpRounds = new Option<int>("--warm-up-rounds") { Description = "The warm-up is repeated, at most this many rounds, until a round makes the service's JIT compile fewer than --warm-up-quiet-jit methods; 1: one round.", DefaultValueFactory = _ => 16 };
        var warmUpQuiet = new Option<int>("--warm-up-quiet-jit") { Description = "Methods compiled in a warm-up round below which tiering counts as finished.", DefaultValueFactory = _ => 100 };
        var warmUpLoad = new Option<int>("--warm-up-load-turns") { Description = "After the warm-up rounds, every talker of the largest phase sends this many unmeasured turns, so that the service's pools grow to the load before it is measured; 0: none.", DefaultValueFactory = _ => 2 };
        var settle = new Option<double>("--settle-cpu") { Description = "After the warm-up, wait until the idle service uses less than this % of a core (background JIT); 0: do not wait.", DefaultValueFactory = _ => 15 };
        var profile = new Option<int>("--profile-seconds") { Description = "CPU-profile the service this many seconds in each phase (dotnet-trace collect-linux, needs root); writes cpu-profile-N.md.", DefaultValueFactory = _ => 0 };
        var gcPauses = new Option<bool>("--gc-pauses") { Description = "Watch the service's and the benchmark's GC pauses in each phase (EventPipe); writes gc-pauses-N.csv. May perturb the run." };
        var set = new Option<string[]>("--set") { Description = "A setting of the service, e.g. Preemptive:Enabled=false (repeatable).", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "Folder of the report, the histograms and the chart.", DefaultValueFactory = _ => Path.Combine("bench-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)) };
        var command = new RootCommand("Measures what CoachService adds to a model's latency, with full persistence, at scale.")
        {
            connected, talking, turns, perSession, think, duration, ttft, rate, json, taskDelay, ceiling, voice, noDirect, noCounters, instances, jitter, warmUpTalkers, warmUpTurns, warmUpRounds, warmUpQuiet, warmUpLoad, settle, profile, gcPauses, set, output,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var isCeiling = parsed.GetValue(ceiling);
            var delays = (parsed.GetValue(taskDelay) ?? []).Select(d => d.Split('=', 2))
                .ToDictionary(d => d[0], d => TimeSpan.FromMilliseconds(int.Parse(d[1], CultureInfo.InvariantCulture)), StringComparer.Ordinal);
            var options = new BenchmarkOptions
            {
                Connected = parsed.GetValue(connected),
                Talking = parsed.GetValue(talking)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList(),
                TurnsPerTalker = parsed.GetValue(turns),
                TurnsPerSession = parsed.GetValue(perSession),
                ThinkTime = TimeSpan.FromMilliseconds(isCeiling ? 0 : parsed.GetValue(think)),
                ThinkJitter = Math.Clamp(parsed.GetValue(jitter), 0, 1),
                PhaseDuration = TimeSpan.FromSeconds(parsed.GetValue(duration)),
                Voice = parsed.GetValue(voice),
                Direct = !parsed.GetValue(noDirect),
                Counters = !parsed.GetValue(noCounters),
                Instances = Math.Max(1, parsed.GetValue(instances)),
                WarmUpTalkers = parsed.GetValue(warmUpTalkers),
                WarmUpTurns = parsed.GetValue(warmUpTurns),
                WarmUpRounds = Math.Max(1, parsed.GetValue(warmUpRounds)),
                WarmUpQuietJit = parsed.GetValue(warmUpQuiet),
                WarmUpLoadTurns = Math.Max(0, parsed.GetValue(warmUpLoad)),
                SettleCpuPercent = parsed.GetValue(settle),
                ProfileDuration = TimeSpan.FromSeconds(parsed.GetValue(profile)),
                WatchGcPauses = parsed.GetValue(gcPauses),
                // The service reads its settings from the environment: Section:Key becomes Section__Key.
                ServiceSettings = (parsed.GetValue(set) ?? []).Select(d => d.Split('=', 2))
                    .ToDictionary(d => d[0].Replace(":", "__", StringComparison.Ordinal), d => d.Length > 1 ? d[1] : "", StringComparer.Ordinal),
                OutputFolder = Path.GetFullPath(parsed.GetValue(output)!),
                Model = new FakeModelOptions
                {
                    TimeToFirstToken = TimeSpan.FromMilliseconds(isCeiling ? 0 : parsed.GetValue(ttft)),
                    TokensPerSecond = isCeiling ? 0 : parsed.GetValue(rate),
                    StructuredDelay = TimeSpan.FromMilliseconds(isCeiling ? 0 : parsed.GetValue(json)),
                    TaskDelays = delays,
                },
            };
            Directory.CreateDirectory(options.OutputFolder);
            var result = await BenchmarkRun.RunAsync(options, Console.Out, ct);
            var report = BenchmarkReport.Markdown(result, "dotnet run -c Release --project bench/CoachService.Benchmarks -- " + string.Join(' ', args));
            await File.WriteAllTextAsync(Path.Combine(options.OutputFolder, "report.md"), report, ct);
            await File.WriteAllTextAsync(Path.Combine(options.OutputFolder, "added-latency.svg"),
                BenchmarkReport.Chart(result.Phases, $"Added latency against concurrent talkers ({options.Connected} connected)"), ct);
            foreach (var phase in result.Phases)
            {
                await File.WriteAllTextAsync(Path.Combine(options.OutputFolder, $"hdr-added-first-chunk-{phase.Talkers}.txt"), phase.AddedFirstChunkDistribution, ct);
                await File.WriteAllTextAsync(Path.Combine(options.OutputFolder, $"turns-{phase.Talkers}.csv"), TurnTiming.Csv(phase.Timings), ct);
                if (options.WatchGcPauses)
                {
                    await File.WriteAllLinesAsync(Path.Combine(options.OutputFolder, $"gc-pauses-{phase.Talkers}.csv"),
                        ["process,start_ms,duration_ms,generation", .. phase.GcPauses.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Process},{g.StartMs:0.000},{g.DurationMs:0.000},{g.Generation}"))], ct);
                }
            }

            Console.WriteLine();
            Console.WriteLine(report);
            Console.WriteLine($"written to {options.OutputFolder}");
            return result.Audit.Clean && result.Phases.All(p => p.Errors.Count == 0) ? 0 : 1;
        });
        return command.Parse(args).InvokeAsync();
    }
}
