using System.Diagnostics;
using System.Globalization;
using System.Text;
using HdrHistogram;

namespace CoachService.Benchmarks;

/// <summary>p50 / p95 / p99 / max of one latency, in milliseconds, from an HDR histogram.</summary>
public sealed record Percentiles(long Count, double P50, double P95, double P99, double Max)
{
    // Microseconds, up to ten minutes, three significant digits.
    public static LongHistogram NewHistogram() => new(TimeSpan.FromMinutes(10).Ticks / 10, 3);

    public static Percentiles Of(HistogramBase histogram) => histogram.TotalCount == 0
        ? new Percentiles(0, double.NaN, double.NaN, double.NaN, double.NaN)
        : new Percentiles(histogram.TotalCount, Ms(histogram.GetValueAtPercentile(50)), Ms(histogram.GetValueAtPercentile(95)),
            Ms(histogram.GetValueAtPercentile(99)), Ms(histogram.GetMaxValue()));

    private static double Ms(long micros) => micros / 1000.0;

    public override string ToString() => Count == 0 ? "–" : $"{P50:0.0} / {P95:0.0} / {P99:0.0} (max {Max:0.0})";
}

/// <summary>
/// One measured turn on the benchmark's Stopwatch clock, in milliseconds: sent, its reply's request at the model, the
/// model's first token, the client's first chunk. The added latency is the time outside the model's own wait.
/// </summary>
public sealed record TurnTiming(string Turn, double SentMs, double RequestMs, double FirstTokenMs, double FirstChunkMs, bool OpensSession = false)
{
    public double AddedMs => RequestMs - SentMs + (FirstChunkMs - FirstTokenMs);

    /// <summary>How much of the added time a pause covered: its overlap with before the request and after the first token.</summary>
    public double Covered(GcPause pause) => Overlap(SentMs, RequestMs, pause) + Overlap(FirstTokenMs, FirstChunkMs, pause);

    public static string Csv(IEnumerable<TurnTiming> timings)
    {
        var csv = new StringBuilder("turn,sent_ms,request_ms,first_token_ms,first_chunk_ms,added_first_chunk_ms,opens_session\n");
        foreach (var t in timings)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{t.Turn},{t.SentMs:0.000},{t.RequestMs:0.000},{t.FirstTokenMs:0.000},{t.FirstChunkMs:0.000},{t.AddedMs:0.000},{(t.OpensSession ? 1 : 0)}\n");
        }

        return csv.ToString();
    }

    private static double Overlap(double from, double to, GcPause pause) =>
        Math.Max(0, Math.Min(to, pause.StartMs + pause.DurationMs) - Math.Max(from, pause.StartMs));
}

/// <summary>CPU of the service, PostgreSQL and the benchmark client over a phase, in % of one core (the machine has <see cref="Environment.ProcessorCount"/>).</summary>
public sealed record CpuShare(double Service, double Postgres, double Client)
{
    public double Total => Service + Postgres + Client;
}

/// <summary>
/// The benchmark process's own garbage collector over a phase (<see cref="GC.CollectionCount"/> and
/// <see cref="GC.GetTotalPauseDuration"/>, read in the process): its pauses hold up the fake model's tokens and the
/// clients' reading of chunks, so they show in the measured added latency without being the service's.
/// </summary>
public sealed record ClientGc(int Gen0, int Gen1, int Gen2, double PauseMs)
{
    public static ClientGc Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds);

    /// <summary>What happened between <paramref name="start"/> and this reading (counts include the older generations' collections, as the runtime counts them).</summary>
    public ClientGc Since(ClientGc start) => new(Gen0 - start.Gen0, Gen1 - start.Gen1, Gen2 - start.Gen2, PauseMs - start.PauseMs);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Gen0} collections ({Gen1} of gen1, {Gen2} of gen2), {PauseMs:0} ms paused");
}

/// <summary>
/// The PostgreSQL backends of the service (every instance) when a phase started and when it ended: more at the end means
/// its pools opened connections inside the measured phase.
/// </summary>
public sealed record ConnectionCount(int Start, int After)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start} at the start, {After} at the end");
}

/// <summary>What one phase measured.</summary>
public sealed record PhaseResult
{
    public required string Name { get; init; }

    public required int Talkers { get; init; }

    public required int Sent { get; init; }

    public required int Completed { get; init; }

    public required IReadOnlyList<string> Errors { get; init; }

    public required double Seconds { get; init; }

    public double TurnsPerSecond => Seconds > 0 ? Completed / Seconds : 0;

    /// <summary>What the client saw: from SendTurn (the final transcript) to the first chunk.</summary>
    public required Percentiles ClientFirstChunk { get; init; }

    /// <summary>The model's own time to first token, for the reply requests of these turns.</summary>
    public required Percentiles ModelFirstToken { get; init; }

    public required Percentiles AddedFirstChunk { get; init; }

    /// <summary>Added latency to the first chunk of the turns that were their session's first (among <see cref="AddedFirstChunk"/>).</summary>
    public Percentiles? AddedFirstChunkOpeningSession { get; init; }

    /// <summary>Client's first complete sentence minus the model's own first complete sentence.</summary>
    public required Percentiles AddedFirstSentence { get; init; }

    public required Percentiles AddedLastChunk { get; init; }

    /// <summary>The first part of the added latency: from SendTurn until the reply's request reached the model.</summary>
    public required Percentiles BeforeModelRequest { get; init; }

    /// <summary>The second part: from the model's first token until the client's first chunk.</summary>
    public required Percentiles FirstTokenToClient { get; init; }

    /// <summary>The HDR histogram of the added latency to the first chunk, as HdrHistogram prints it.</summary>
    public required string AddedFirstChunkDistribution { get; init; }

    /// <summary>Each measured turn's timings, for the tail's attribution and the phase's <c>turns-N.csv</c>.</summary>
    public IReadOnlyList<TurnTiming> Timings { get; init; } = [];

    /// <summary>The garbage collectors' pauses during the phase, the service's and the benchmark's own.</summary>
    public IReadOnlyList<GcPause> GcPauses { get; init; } = [];

    /// <summary>Model requests per turn (all tasks), averaged.</summary>
    public required double ModelCallsPerTurn { get; init; }

    /// <summary>Model requests that arrived before the reply's first token left the model: what the first chunk waited for.</summary>
    public required IReadOnlyDictionary<int, int> CallsBeforeFirstToken { get; init; }

    /// <summary>Model requests that arrived before the client received its first chunk.</summary>
    public required IReadOnlyDictionary<int, int> CallsBeforeFirstChunk { get; init; }

    /// <summary>Turns none of whose model requests carried its marker: their added latency is unknown.</summary>
    public required int Unmatched { get; init; }

    /// <summary>Turns whose reply came from a speculation the final transcript adopted (no reply request after SendTurn).</summary>
    public int Adopted { get; init; }

    /// <summary>Turns for which a speculative reply request reached the model before SendTurn.</summary>
    public int Speculated { get; init; }

    public CpuShare? Cpu { get; init; }

    /// <summary>Service CPU time per completed turn.</summary>
    public double? ServiceCpuMsPerTurn { get; init; }

    public long? PeakServiceRss { get; init; }

    /// <summary>The benchmark process's own collections and pauses during the phase.</summary>
    public ClientGc? ClientGc { get; init; }

    /// <summary>The service's PostgreSQL connections at the phase's start and end.</summary>
    public ConnectionCount? DatabaseConnections { get; init; }

    /// <summary>Lines the service logged (at its configured level, Information) per completed turn.</summary>
    public double? LogLinesPerTurn { get; init; }

    /// <summary>
    /// Builds the result from the turns' client timings and the fake model's per-request timings:
    /// added = what the client saw − what the model took for the reply (its own time to first token).
    /// </summary>
    public static PhaseResult Compute(string name, int talkers, IReadOnlyCollection<TurnRecord> turns, IEnumerable<string> otherErrors, IReadOnlyCollection<ModelCall> calls)
    {
        var byTurn = calls.Where(c => c.TurnKey is not null).ToLookup(c => c.TurnKey!);
        var clientFirst = Percentiles.NewHistogram();
        var modelFirst = Percentiles.NewHistogram();
        var addedFirst = Percentiles.NewHistogram();
        var addedFirstOpening = Percentiles.NewHistogram();
        var addedSentence = Percentiles.NewHistogram();
        var addedLast = Percentiles.NewHistogram();
        var beforeModel = Percentiles.NewHistogram();
        var toClient = Percentiles.NewHistogram();
        var before = new SortedDictionary<int, int>();
        var beforeChunk = new SortedDictionary<int, int>();
        var errors = otherErrors.ToList();
        var timings = new List<TurnTiming>();
        var callCount = 0;
        var unmatched = 0;
        var adopted = 0;
        var speculatedTurns = 0;
        long first = long.MaxValue, last = 0;
        foreach (var turn in turns)
        {
            if (turn.Failure is { } failure)
            {
                errors.Add($"{turn.TurnId}: {failure}");
            }

            if (turn.SentAt == 0 || turn.CompletedAt == 0 || turn.Failure is not null)
            {
                continue;
            }

            first = Math.Min(first, turn.SentAt);
            last = Math.Max(last, turn.CompletedAt);
            var own = byTurn[turn.Key].ToList();
            callCount += own.Count;
            // What the client saw, for every turn: in voice runs, the final transcript (SendTurn) to the first chunk.
            if (turn.FirstChunkAt != 0)
            {
                Record(clientFirst, Elapsed(turn.SentAt, turn.FirstChunkAt));
            }

            // A reply whose only model request came before SendTurn was a speculation the final adopted (issue 14).
            var speculated = own.Any(c => c.Task is null && c.ReceivedAt < turn.SentAt);
            var reply = own.Where(c => c.Task is null && c.FirstTokenAt != 0 && c.ReceivedAt >= turn.SentAt).OrderBy(c => c.ReceivedAt).FirstOrDefault();
            if (speculated && reply is null)
            {
                adopted++;
            }

            if (speculated)
            {
                speculatedTurns++;
            }

            if (reply is null || turn.FirstChunkAt == 0)
            {
                unmatched++;
                continue;
            }

            var modelTtft = Elapsed(reply.ReceivedAt, reply.FirstTokenAt);
            Record(modelFirst, modelTtft);
            Record(addedFirst, Elapsed(turn.SentAt, turn.FirstChunkAt) - modelTtft);
            if (turn.OpensSession)
            {
                Record(addedFirstOpening, Elapsed(turn.SentAt, turn.FirstChunkAt) - modelTtft);
            }
            if (turn.FirstSentenceAt != 0 && reply.FirstSentenceAt != 0)
            {
                Record(addedSentence, Elapsed(turn.SentAt, turn.FirstSentenceAt) - Elapsed(reply.ReceivedAt, reply.FirstSentenceAt));
            }

            Record(addedLast, Elapsed(turn.SentAt, turn.LastChunkAt) - Elapsed(reply.ReceivedAt, reply.LastTokenAt));
            Record(beforeModel, Elapsed(turn.SentAt, reply.ReceivedAt));
            Record(toClient, Elapsed(reply.FirstTokenAt, turn.FirstChunkAt));
            timings.Add(new TurnTiming(turn.Key, StopwatchMs(turn.SentAt), StopwatchMs(reply.ReceivedAt), StopwatchMs(reply.FirstTokenAt), StopwatchMs(turn.FirstChunkAt), turn.OpensSession));
            var n = own.Count(c => c.ReceivedAt <= reply.FirstTokenAt);
            before[n] = before.GetValueOrDefault(n) + 1;
            var m = own.Count(c => c.ReceivedAt <= turn.FirstChunkAt);
            beforeChunk[m] = beforeChunk.GetValueOrDefault(m) + 1;
        }

        var completed = turns.Count(t => t.CompletedAt != 0 && t.Failure is null);
        using var distribution = new StringWriter();
        if (addedFirst.TotalCount > 0)
        {
            addedFirst.OutputPercentileDistribution(distribution, percentileTicksPerHalfDistance: 1, outputValueUnitScalingRatio: 1000.0);
        }

        return new PhaseResult
        {
            Name = name,
            Talkers = talkers,
            Sent = turns.Count(t => t.SentAt != 0),
            Completed = completed,
            Errors = errors,
            Seconds = last > first ? Stopwatch.GetElapsedTime(first, last).TotalSeconds : 0,
            ClientFirstChunk = Percentiles.Of(clientFirst),
            ModelFirstToken = Percentiles.Of(modelFirst),
            AddedFirstChunk = Percentiles.Of(addedFirst),
            AddedFirstChunkOpeningSession = Percentiles.Of(addedFirstOpening),
            AddedFirstSentence = Percentiles.Of(addedSentence),
            AddedLastChunk = Percentiles.Of(addedLast),
            BeforeModelRequest = Percentiles.Of(beforeModel),
            FirstTokenToClient = Percentiles.Of(toClient),
            AddedFirstChunkDistribution = distribution.ToString(),
            Timings = timings,
            ModelCallsPerTurn = completed > 0 ? callCount / (double)completed : 0,
            CallsBeforeFirstToken = before,
            CallsBeforeFirstChunk = beforeChunk,
            Unmatched = unmatched,
            Adopted = adopted,
            Speculated = speculatedTurns,
        };
    }

    private static TimeSpan Elapsed(long from, long to) => Stopwatch.GetElapsedTime(from, to);

    private static double StopwatchMs(long timestamp) => timestamp * 1000.0 / Stopwatch.Frequency;

    // The histogram holds microseconds; a negative added latency (clock granularity) counts as 0.
    private static void Record(LongHistogram histogram, TimeSpan value) => histogram.RecordValue(Math.Max(0, value.Ticks / 10));
}
