using System.Collections.Concurrent;
using System.Diagnostics;
using CoachService.Testing;

namespace CoachService.Benchmarks;

/// <summary>
/// Memory the service holds per connected idle client: RSS from /proc, and the live managed heap after a full
/// collection induced before and after the connections open (<see cref="LiveHeap"/>), both read after that collection.
/// </summary>
public sealed record IdleMemory(int Connections, long RssBefore, long RssAfter, long? LiveHeapBefore, long? LiveHeapAfter)
{
    public double RssPerConnection => Connections > 0 ? (RssAfter - RssBefore) / (double)Connections : 0;

    public double? LiveHeapPerConnection => Connections > 0 && LiveHeapBefore is { } b && LiveHeapAfter is { } a ? (a - b) / (double)Connections : null;
}

/// <summary>Everything a run measured.</summary>
public sealed record BenchmarkResult
{
    public required BenchmarkOptions Options { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required IReadOnlyList<PhaseResult> Phases { get; init; }

    public PhaseResult? Direct { get; init; }

    public required AuditResult Audit { get; init; }

    public required IdleMemory Idle { get; init; }

    /// <summary>The garbage collector's settings the service logged at start-up, or null when it logged none.</summary>
    public string? ServiceGarbageCollector { get; init; }

    public required int SchemaInvalidAnswers { get; init; }

    public double? PeakGcHeap { get; init; }

    public required long PeakServiceRss { get; init; }

    /// <summary>Issue 14's preemptive-generation metrics from session_metrics (hit rate, wasted tokens), when the service records them.</summary>
    public required IReadOnlyDictionary<string, decimal> PreemptiveMetrics { get; init; }

    public required bool CountersCollected { get; init; }

    public required string LoadAverage { get; init; }

    /// <summary>How fast the machine was (<see cref="MachineSpeed"/>).</summary>
    public required string MachineSpeed { get; init; }

    /// <summary>The tables the service's database scanned sequentially (<see cref="TurnAudit.ReadSequentialScansAsync"/>).</summary>
    public required string SequentialScans { get; init; }
}

/// <summary>
/// One benchmark run: the fake model, optionally the direct phase against it, then the service in
/// its own process, N connected clients, one phase per talker count, and the database cross-check.
/// </summary>
public static class BenchmarkRun
{
    public static async Task<BenchmarkResult> RunAsync(BenchmarkOptions options, TextWriter log, CancellationToken ct = default)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAverage = LoadAverage();
        var speed = MachineSpeed.Start();
        await using var model = await FakeModel.StartAsync(options.Model, ct);
        log.WriteLine($"fake model on {model.BaseUrl} (first token {options.Model.TimeToFirstToken.TotalMilliseconds} ms, {options.Model.TokensPerSecond} tokens/s, {FakeModel.ReplyTokenCount} tokens a reply)");

        PhaseResult? direct = null;
        if (options.Direct)
        {
            direct = await DirectPhaseAsync(model, options, options.Talking.Max(), log);
        }

        // A scale-out run: two instances on one database, a local redis-server as the SignalR backplane, one
        // signing key (a token from either instance is good on both), clients alternating between them.
        await using var redis = options.Instances > 1 ? await RedisTestServer.StartAsync() : null;
        var settings = redis is null
            ? options.ServiceSettings
            : new Dictionary<string, string>(options.ServiceSettings)
            {
                ["ConnectionStrings__Redis"] = redis.ConnectionString,
                ["Auth__SigningKey"] = "benchmark-scale-out-signing-key-of-at-least-32-bytes",
            };
        await using var service = await ServiceUnderTest.StartAsync(model.BaseUrl, settings, TimeSpan.FromMinutes(2));
        await using var second = redis is null ? null : await ServiceUnderTest.StartAsync(model.BaseUrl, settings, TimeSpan.FromMinutes(2), service.Database);
        if (second is not null)
        {
            log.WriteLine($"second instance pid {second.ProcessId} on {second.BaseAddress}, redis-server on {redis!.ConnectionString}; CPU and memory figures below are the first instance's");
        }

        var cluster = await PostgresTestCluster.GetAsync();
        log.WriteLine($"service pid {service.ProcessId} on {service.BaseAddress}, PostgreSQL pid {cluster.ServerProcessId}");
        await using var counters = options.Counters && options.OutputFolder is not null
            ? await RuntimeCounters.StartAsync(service.ProcessId, options.OutputFolder)
            : null;

        using var peak = new PeakSampler(service.ProcessId);
        var clients = new List<SimulatedClient>();
        try
        {
            using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var runId = Guid.NewGuid().ToString("N")[..8];
            var connected = Math.Max(options.Connected, options.Talking.Max());
            var signedIn = new ConcurrentBag<SimulatedClient>();
            await Parallel.ForEachAsync(Enumerable.Range(0, connected), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
                async (i, token) => signedIn.Add(await SimulatedClient.SignInAsync(http, i, runId, token, second is not null && i % 2 == 1 ? second.BaseAddress : null)));
            clients.AddRange(signedIn.OrderBy(c => c.Index));
            log.WriteLine($"{clients.Count} users signed in");

            // Memory per idle connection: the service settled before and after the connections open.
            await Task.Delay(options.SettleTime, ct);
            var liveBefore = await LiveHeap.MeasureAsync(service.ProcessId, log);
            var before = ProcessUsage.Of(service.ProcessId);
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = ct },
                async (client, token) => await client.ConnectAsync(token));
            await Task.Delay(options.SettleTime, ct);
            var liveAfter = await LiveHeap.MeasureAsync(service.ProcessId, log);
            var after = ProcessUsage.Of(service.ProcessId);
            log.WriteLine($"{clients.Count} clients connected; service RSS {before.RssBytes / 1048576.0:0.0} -> {after.RssBytes / 1048576.0:0.0} MiB, live heap {liveBefore / 1048576.0:0.0} -> {liveAfter / 1048576.0:0.0} MiB");

            // Warm-up (JIT tiering, connection pools): checked in the database but not measured.
            var sent = await WarmUpAsync(service, cluster, model, clients, options, log);
            log.WriteLine($"service idle CPU over 3 s: {await IdleCpuAsync(service.ProcessId):0.0} % of a core");
            await SettleAsync(service.ProcessId, options, log, ct);
            var phases = new List<PhaseResult>();
            for (var p = 0; p < options.Talking.Count; p++)
            {
                var talkers = options.Talking[p];
                var phase = await ServicePhaseAsync(service, cluster, model, clients.Take(talkers).ToList(), options, p, log);
                phases.Add(phase.Result);
                sent.AddRange(phase.Turns);
            }

            var scans = await TurnAudit.ReadSequentialScansAsync(service.Database.Connections.Owner, ct);
            var audit = await AuditAsync(service, sent, options, ct);
            log.WriteLine(audit.Clean ? $"database check: all {audit.Sent} sent turns stored exactly once with reply and snapshot" : $"database check: {audit.Problems.Count} problems");
            var sessions = sent.Select(t => t.SessionId).Distinct().ToList();
            var preemptive = await TurnAudit.ReadSessionMetricsAsync(service.Database.Connections.Owner, sessions, "wasted_", ct);

            if (options.OutputFolder is not null)
            {
                await File.WriteAllLinesAsync(Path.Combine(options.OutputFolder, "service-log-tail.txt"), service.RecentOutput, ct);
            }

            var readings = counters is null ? [] : await counters.StopAsync();
            var heap = readings.Where(r => r.Name == RuntimeCounters.GcHeap).ToList();
            return new BenchmarkResult
            {
                Options = options,
                StartedAt = startedAt,
                Phases = phases,
                Direct = direct,
                Audit = audit,
                Idle = new IdleMemory(clients.Count, before.RssBytes, after.RssBytes, liveBefore, liveAfter),
                ServiceGarbageCollector = service.GarbageCollector,
                SchemaInvalidAnswers = model.Calls.Count(c => c.SchemaErrors.Count > 0),
                PeakGcHeap = heap.Count > 0 ? heap.Max(r => r.Value) : null,
                PeakServiceRss = peak.PeakRss,
                PreemptiveMetrics = preemptive,
                CountersCollected = heap.Count > 0,
                LoadAverage = loadAverage + " → " + LoadAverage(),
                MachineSpeed = speed.Finish(),
                SequentialScans = scans,
            };
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Rounds of warm-up turns at the phases' settings until a round makes the JIT compile fewer than
    /// <see cref="BenchmarkOptions.WarmUpQuietJit"/> methods (tiering has finished with the paths the phases run),
    /// at most <see cref="BenchmarkOptions.WarmUpRounds"/> rounds. Each round's turns are checked with the rest.
    /// Each round talks through the next <see cref="BenchmarkOptions.WarmUpTalkers"/> connections, so that what a
    /// user does once (their first turn: their data key made and stored) also runs often enough to be tiered up,
    /// not first in the measured phase.
    /// </summary>
    private static async Task<List<TurnRecord>> WarmUpAsync(
        ServiceUnderTest service, PostgresTestCluster cluster, FakeModel model, List<SimulatedClient> clients, BenchmarkOptions options, TextWriter log)
    {
        var turns = await TieringRoundsAsync(service, cluster, model, clients, options, log);
        if (options.WarmUpLoadTurns == 0)
        {
            return turns;
        }

        // At the largest phase's concurrency, so that the pools grow here: a connection opened inside the measured phase
        // (a PostgreSQL backend started, a password exchange, the connector's statements prepared again) is the ramp's
        // cost, not the steady state's.
        var talkers = clients.Take(options.Talking.Max()).ToList();
        var connectionsBefore = await TurnAudit.CountServiceConnectionsAsync(service.Database.Connections.Owner, CancellationToken.None);
        var load = await ServicePhaseAsync(service, cluster, model, talkers, options with { TurnsPerTalker = options.WarmUpLoadTurns }, -(options.WarmUpRounds + 1), log);
        turns.AddRange(load.Turns);
        foreach (var talker in talkers)
        {
            // Each talker's place in its session drawn uniformly (the same in every run), so that the measured phase
            // starts sessions at the steady rate, one talker in TurnsPerSession at a time, not all of them in its first
            // cycle: opening a session is work for the service beside the turns (the session stored, its first context read).
            talker.PlaceInSession(BenchmarkOptions.TalkerRandom(talker.Index, -(options.WarmUpRounds + 2)).Next(options.TurnsPerSession), options.TurnsPerSession);
        }

        log.WriteLine($"warm-up at load: {talkers.Count} talkers, {load.Result.Completed} turns; the service's PostgreSQL connections {connectionsBefore} -> {load.Result.DatabaseConnections?.After}");
        return turns;
    }

    private static async Task<List<TurnRecord>> TieringRoundsAsync(
        ServiceUnderTest service, PostgresTestCluster cluster, FakeModel model, List<SimulatedClient> clients, BenchmarkOptions options, TextWriter log)
    {
        var turns = new List<TurnRecord>();
        await using var jit = options.WarmUpRounds > 1 ? JitWatch.TryStart(service.ProcessId, log) : null;
        for (var round = 1; round <= options.WarmUpRounds; round++)
        {
            var compiledBefore = jit?.Compiled ?? 0;
            var talkers = Enumerable.Range((round - 1) * options.WarmUpTalkers, Math.Min(options.WarmUpTalkers, clients.Count))
                .Select(i => clients[i % clients.Count]).ToList();
            var warmUp = await ServicePhaseAsync(service, cluster, model, talkers, options with { TurnsPerTalker = options.WarmUpTurns }, -round, log);
            turns.AddRange(warmUp.Turns);
            if (jit is null)
            {
                continue;
            }

            // The JIT's events arrive a little after the methods are compiled.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var compiled = jit.Compiled - compiledBefore;
            log.WriteLine($"warm-up round {round}: {warmUp.Result.Completed} turns, the JIT compiled {compiled} methods, {warmUp.Result.ServiceCpuMsPerTurn:0.0} ms of service CPU a turn");
            if (compiled < options.WarmUpQuietJit)
            {
                return turns;
            }
        }

        if (jit is not null)
        {
            log.WriteLine($"warm-up: the JIT still compiled {options.WarmUpQuietJit} or more methods in the last of {options.WarmUpRounds} rounds; measuring anyway");
        }

        return turns;
    }

    private static async Task<(PhaseResult Result, List<TurnRecord> Turns)> ServicePhaseAsync(
        ServiceUnderTest service, PostgresTestCluster cluster, FakeModel model, List<SimulatedClient> talkers, BenchmarkOptions options, int index, TextWriter log)
    {
        var sink = new ConcurrentSink();
        using var over = new CancellationTokenSource(options.PhaseDuration);
        var start = (Service: ProcessUsage.Of(service.ProcessId), Postgres: ProcessUsage.OfTree(cluster.ServerProcessId), Client: ProcessUsage.Self());
        using var peak = new PeakSampler(service.ProcessId);
        var linesBefore = service.OutputLines;
        var profiling = options.ProfileDuration > TimeSpan.Zero && options.OutputFolder is not null && index >= 0
            ? ProfileAsync(service.ProcessId, options, talkers.Count, log)
            : Task.CompletedTask;
        if (index >= 0)
        {
            // What the connections and the warm-up left in the benchmark's own young generations is promoted now: its first
            // collection inside a phase copied all of it (131 and 166 ms of pause in two runs of the thirteenth round),
            // holding up the fake model's tokens and the clients' reading of chunks.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var connectionsAtStart = await TurnAudit.CountServiceConnectionsAsync(service.Database.Connections.Owner, CancellationToken.None);
        var watchGc = options.WatchGcPauses && index >= 0;
        var serviceGc = watchGc ? GcWatch.TryStart("service", service.ProcessId, log) : null;
        var clientGc = watchGc ? GcWatch.TryStart("benchmark", Environment.ProcessId, log) : null;
        var ownGc = ClientGc.Now();
        await Task.WhenAll(talkers.Select(c => Task.Run(() => c.TalkAsync(options, index, sink, over.Token, BenchmarkOptions.TalkerRandom(c.Index, index)))));
        var end = (Service: ProcessUsage.Of(service.ProcessId), Postgres: ProcessUsage.OfTree(cluster.ServerProcessId), Client: ProcessUsage.Self());
        var ownGcInPhase = ClientGc.Now().Since(ownGc);
        var connectionsAtEnd = await TurnAudit.CountServiceConnectionsAsync(service.Database.Connections.Owner, CancellationToken.None);
        var pauses = new List<GcPause>();
        foreach (var watch in new[] { serviceGc, clientGc })
        {
            if (watch is not null)
            {
                await watch.DisposeAsync();
                pauses.AddRange(watch.Pauses);
            }
        }
        var turns = sink.Turns.ToList();
        var result = PhaseResult.Compute($"{talkers.Count} talking", talkers.Count, turns, sink.Errors, model.Calls.ToList());
        result = result with
        {
            Cpu = new CpuShare(UsageMath.CorePercent(start.Service, end.Service), UsageMath.CorePercent(start.Postgres, end.Postgres), UsageMath.CorePercent(start.Client, end.Client)),
            ServiceCpuMsPerTurn = result.Completed > 0 ? (end.Service.Cpu - start.Service.Cpu).TotalMilliseconds / result.Completed : null,
            PeakServiceRss = peak.PeakRss,
            LogLinesPerTurn = result.Completed > 0 ? (service.OutputLines - linesBefore) / (double)result.Completed : null,
            GcPauses = pauses,
            ClientGc = ownGcInPhase,
            DatabaseConnections = new ConnectionCount(connectionsAtStart, connectionsAtEnd),
        };
        await profiling;
        log.WriteLine($"phase {result.Name}: {result.Completed}/{result.Sent} turns, {result.TurnsPerSecond:0.0}/s, added to first chunk {result.AddedFirstChunk} (before the model request {result.BeforeModelRequest}, first token to client {result.FirstTokenToClient}), errors {result.Errors.Count}, CPU {result.Cpu}, {result.ServiceCpuMsPerTurn:0.0} ms a turn, {result.LogLinesPerTurn:0.0} log lines a turn, the benchmark's own GC {result.ClientGc}, the service's PostgreSQL connections {result.DatabaseConnections}");
        return (result, turns);
    }

    private static async Task<PhaseResult> DirectPhaseAsync(FakeModel model, BenchmarkOptions options, int talkers, TextWriter log)
    {
        using var http = DirectClient.Create(model.BaseUrl);
        await DirectClient.TalkAsync(http, -1, options with { TurnsPerTalker = options.WarmUpTurns }, new ConcurrentSink(), CancellationToken.None);
        var sink = new ConcurrentSink();
        using var over = new CancellationTokenSource(options.PhaseDuration);
        await Task.WhenAll(Enumerable.Range(0, talkers).Select(i => Task.Run(() => DirectClient.TalkAsync(http, i, options, sink, over.Token))));
        var result = PhaseResult.Compute($"{talkers} talking, straight to the model", talkers, sink.Turns.ToList(), sink.Errors, model.Calls.ToList());
        log.WriteLine($"direct: {result.Completed}/{result.Sent} turns, {result.TurnsPerSecond:0.0}/s, added to first chunk {result.AddedFirstChunk}");
        return result;
    }

    /// <summary>Waits for the snapshots that follow the replies, then checks every sent turn against the database.</summary>
    private static async Task<AuditResult> AuditAsync(ServiceUnderTest service, List<TurnRecord> turns, BenchmarkOptions options, CancellationToken ct)
    {
        var sent = turns.Where(t => t.SentAt != 0)
            .Select(t => new SentTurn(t.SessionId, t.TurnId, t.CompletedContent, t.Failure is not null)).ToList();
        var sessions = sent.Select(t => t.SessionId).Distinct().ToList();
        var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * Math.Max(10, options.TurnTimeout.TotalSeconds));
        while (true)
        {
            var (messages, emotions) = await TurnAudit.ReadAsync(service.Database, sessions, ct);
            var audit = TurnAudit.Check(sent, messages, emotions);
            if (audit.Clean || Stopwatch.GetTimestamp() > deadline)
            {
                return audit;
            }

            await Task.Delay(500, ct);
        }
    }

    /// <summary>A CPU profile of the service from a few seconds into the phase, summarised beside the report.</summary>
    private static async Task ProfileAsync(int pid, BenchmarkOptions options, int talkers, TextWriter log)
    {
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, options.PhaseDuration.TotalSeconds / 4)));
        var file = Path.Combine(options.OutputFolder!, $"cpu-profile-{talkers}.nettrace");
        if (await CpuProfile.CollectAsync(pid, options.ProfileDuration, file, log) is { } trace)
        {
            var summary = CpuProfile.Summarise(trace);
            await File.WriteAllTextAsync(Path.ChangeExtension(trace, ".md"), summary);
            log.WriteLine($"CPU profile of the service at {talkers} talking: {Path.ChangeExtension(trace, ".md")}");
        }
    }

    /// <summary>Waits for the background JIT to finish with the warmed-up paths: the idle service's CPU under the bound.</summary>
    private static async Task SettleAsync(int pid, BenchmarkOptions options, TextWriter log, CancellationToken ct)
    {
        if (options.SettleCpuPercent <= 0)
        {
            return;
        }

        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < options.SettleTimeout)
        {
            ct.ThrowIfCancellationRequested();
            var cpu = await IdleCpuAsync(pid);
            if (cpu < options.SettleCpuPercent)
            {
                log.WriteLine($"service settled after {(DateTime.UtcNow - started).TotalSeconds:0} s: idle CPU {cpu:0.0} % of a core");
                return;
            }
        }

        log.WriteLine($"service not settled after {options.SettleTimeout.TotalSeconds:0} s (idle CPU at or above {options.SettleCpuPercent} % of a core); measuring anyway");
    }

    private static async Task<double> IdleCpuAsync(int pid)
    {
        var from = ProcessUsage.Of(pid);
        await Task.Delay(TimeSpan.FromSeconds(3));
        return UsageMath.CorePercent(from, ProcessUsage.Of(pid));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>Samples a process's RSS every 250 ms and keeps the highest.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public PeakSampler(int pid) => _timer = new Timer(_ => Sample(pid), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));

        public long PeakRss => Interlocked.Read(ref _peak);

        private void Sample(int pid)
        {
            var rss = ProcessUsage.Of(pid).RssBytes;
            long current;
            while (rss > (current = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, rss, current) != current)
            {
            }
        }

        public void Dispose() => _timer.Dispose();
    }
}
