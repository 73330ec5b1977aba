using System.Globalization;
using System.Text;

namespace CoachService.Benchmarks;

/// <summary>The run's report in Markdown (pasted into docs/BENCHMARKS.md) and its chart as SVG.</summary>
public static class BenchmarkReport
{
    public static string Markdown(BenchmarkResult result, string command)
    {
        var o = result.Options;
        var s = new StringBuilder();
        s.AppendLine(Inv($"### Run of {result.StartedAt:yyyy-MM-dd HH:mm} UTC"));
        s.AppendLine();
        s.AppendLine(Inv($"`{command}`"));
        s.AppendLine();
        s.AppendLine(Inv($"Machine: {Environment.ProcessorCount} cores, {TotalMemoryGiB():0.0} GiB; load average (1, 5, 15 min) {result.LoadAverage}; {result.MachineSpeed}. ") +
            Inv($"The service's garbage collector: {result.ServiceGarbageCollector ?? "not logged"}; the benchmark's own: {CoachService.Api.GarbageCollectorSettings.Describe()}. ") +
            Inv($"Fake model: first token {o.Model.TimeToFirstToken.TotalMilliseconds:0} ms, {o.Model.TokensPerSecond:0} tokens/s, {FakeModel.ReplyTokenCount} tokens a reply, structured answers after {o.Model.StructuredDelay.TotalMilliseconds:0} ms. ") +
            Inv($"{result.Idle.Connections} connected, think time {o.ThinkTime.TotalMilliseconds:0} ms{(o.ThinkJitter > 0 && o.ThinkTime > TimeSpan.Zero ? $" ± {o.ThinkJitter:P0}, first turns spread over {o.Cycle.TotalMilliseconds:0} ms" : o.ThinkJitter > 0 ? $", first turns spread over {o.Cycle.TotalMilliseconds:0} ms" : ", talkers in step")}, {o.TurnsPerTalker} turns per talker in sessions of {o.TurnsPerSession}{(o.Voice ? ", voice (a partial transcript every 250 ms, the final one 300–700 ms after the last word)" : "")}."));
        s.AppendLine();
        s.AppendLine("| phase | turns sent / completed | turns/s | errors | added to first chunk p50 / p95 / p99 ms | added to first sentence p50 / p95 / p99 ms | added to last chunk p50 / p99 ms | client first chunk p50 / p99 ms | model first token p50 ms | CPU service / PostgreSQL / client (% of a core) | service CPU ms a turn | peak RSS MiB |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in (result.Direct is null ? result.Phases : [result.Direct, .. result.Phases]))
        {
            s.AppendLine(Inv($"| {p.Name} | {p.Sent} / {p.Completed} | {p.TurnsPerSecond:0.0} | {p.Errors.Count} | {Three(p.AddedFirstChunk)} | {Three(p.AddedFirstSentence)} | {p.AddedLastChunk.P50:0.0} / {p.AddedLastChunk.P99:0.0} | {p.ClientFirstChunk.P50:0.0} / {p.ClientFirstChunk.P99:0.0} | {p.ModelFirstToken.P50:0.0} | ") +
                (p.Cpu is { } c ? Inv($"{c.Service:0} / {c.Postgres:0} / {c.Client:0}") : "–") + " | " +
                (p.ServiceCpuMsPerTurn is { } ms ? Inv($"{ms:0.0}") : "–") + " | " +
                (p.PeakServiceRss is { } rss ? Inv($"{rss / 1048576.0:0}") : "–") + " |");
        }

        s.AppendLine();
        if (result.Direct is { } direct && result.Phases.LastOrDefault(p => p.Talkers == direct.Talkers) is { } same && direct.ClientFirstChunk.Count > 0)
        {
            s.AppendLine(Inv($"- Service against the physical limit ({direct.Talkers} talking): client time to first chunk p50 {same.ClientFirstChunk.P50:0.0} ms vs {direct.ClientFirstChunk.P50:0.0} ms straight to the model (ratio {same.ClientFirstChunk.P50 / direct.ClientFirstChunk.P50:0.00}), p99 ratio {same.ClientFirstChunk.P99 / direct.ClientFirstChunk.P99:0.00}; turns/s ratio {(direct.TurnsPerSecond > 0 ? same.TurnsPerSecond / direct.TurnsPerSecond : 0):0.00}."));
        }

        s.AppendLine(Inv($"- Sequential scans in the service's database (pg_stat_user_tables, warm-up included): {result.SequentialScans}."));
        var a = result.Audit;
        s.AppendLine(Inv($"- Database check: {a.Sent} turns sent, {a.StoredOnce} stored exactly once with their reply and snapshot; lost {a.Lost}, duplicated {a.Duplicated}, without reply {a.WithoutReply}, without snapshot {a.WithoutSnapshot}, reply differing from TurnCompleted {a.ContentMismatch}, unexpected {a.Unexpected}."));
        foreach (var p in result.Phases)
        {
            s.AppendLine(Inv($"- {p.Name}: added to first chunk = SendTurn to the reply's model request (p50 / p95 / p99 {Three(p.BeforeModelRequest)} ms) + the model's first token to the client's first chunk ({Three(p.FirstTokenToClient)} ms)."));
            if (p.GcPauses.Count > 0)
            {
                s.AppendLine(Inv($"- {p.Name}: {GcLine(p)}"));
            }
            if (p.Speculated > 0)
            {
                s.AppendLine(Inv($"- {p.Name}: preemptive generation: {p.Speculated} of {p.Completed} turns had a speculative reply request before their final transcript, {p.Adopted} adopted it (hit rate {(p.Completed > 0 ? 100.0 * p.Adopted / p.Completed : 0):0}%); final transcript to first chunk p50 / p99 {p.ClientFirstChunk.P50:0.0} / {p.ClientFirstChunk.P99:0.0} ms over every turn."));
            }

            if (p.ClientGc is { } own)
            {
                s.AppendLine(Inv($"- {p.Name}: the benchmark's own garbage collector (its pauses hold up the fake model and the clients; a full collection of it comes just before the phase): {own}."));
            }

            if (p.AddedFirstChunkOpeningSession is { Count: > 0 } opening)
            {
                s.AppendLine(Inv($"- {p.Name}: the {opening.Count} turns that were their session's first: added to first chunk p50 / p95 / p99 {Three(opening)} ms."));
            }

            if (p.DatabaseConnections is { } connections)
            {
                s.AppendLine(Inv($"- {p.Name}: the service's PostgreSQL connections: {connections}."));
            }

            s.AppendLine(Inv($"- {p.Name}: model requests a turn {p.ModelCallsPerTurn:0.00}; service log lines a turn {p.LogLinesPerTurn:0.0}; requests before the reply's first token: {Histogram(p.CallsBeforeFirstToken)}; before the client's first chunk: {Histogram(p.CallsBeforeFirstChunk)}; turns not matched to a model request {p.Unmatched}."));
        }

        var i = result.Idle;
        s.AppendLine(Inv($"- Memory per idle connection ({i.Connections} connections): RSS {i.RssPerConnection / 1024:0.0} KiB") +
            (i.LiveHeapPerConnection is { } live ? Inv($", live managed heap {live / 1024:0.0} KiB (after a full collection induced before and after they open)") : ", live managed heap not measured (the service's diagnostic port could not be reached)") +
            Inv($". Peak service RSS {result.PeakServiceRss / 1048576.0:0} MiB") + (result.PeakGcHeap is { } h ? Inv($", peak GC heap {h / 1048576.0:0} MiB.") : "."));
        s.AppendLine(Inv($"- Structured answers of the fake model that failed their schema: {result.SchemaInvalidAnswers}."));
        s.AppendLine(result.PreemptiveMetrics.Count == 0
            ? "- Preemptive generation (issue 14): no `wasted_*` session metrics recorded (no session ended in this run)."
            : "- Preemptive generation (issue 14), tokens of discarded speculations, from session_metrics: " + string.Join(", ", result.PreemptiveMetrics.Select(m => Inv($"{m.Key} {m.Value}"))) + ".");
        var errors = result.Phases.SelectMany(p => p.Errors).Take(5).ToList();
        if (errors.Count > 0)
        {
            s.AppendLine("- First errors: " + string.Join("; ", errors.Select(e => e.Length > 200 ? e[..200] : e)));
        }

        foreach (var problem in a.Problems.Take(5))
        {
            s.AppendLine($"- Database: {problem}");
        }

        return s.ToString();
    }

    /// <summary>Added latency (p50 and p99, first chunk and first sentence) against concurrent talkers, one point per phase.</summary>
    public static string Chart(IReadOnlyList<PhaseResult> phases, string title)
    {
        const int width = 720, height = 420, left = 70, right = 170, top = 40, bottom = 60;
        var points = phases.Where(p => p.AddedFirstChunk.Count > 0).OrderBy(p => p.Talkers).ToList();
        var series = new (string Name, string Color, string Dash, Func<PhaseResult, double> Value)[]
        {
            ("first chunk p50", "#1f77b4", "", p => p.AddedFirstChunk.P50),
            ("first chunk p99", "#1f77b4", "6 4", p => p.AddedFirstChunk.P99),
            ("first sentence p50", "#d62728", "", p => p.AddedFirstSentence.P50),
            ("first sentence p99", "#d62728", "6 4", p => p.AddedFirstSentence.P99),
        };
        var maxX = Math.Max(1, points.Count == 0 ? 1 : points.Max(p => p.Talkers));
        var maxY = Math.Max(5, points.Count == 0 ? 5 : series.Max(s => points.Max(p => double.IsNaN(s.Value(p)) ? 0 : s.Value(p))));
        maxY = NiceCeiling(maxY);
        double X(double v) => left + (width - left - right) * v / maxX;
        double Y(double v) => height - bottom - (height - top - bottom) * v / maxY;

        var svg = new StringBuilder();
        svg.AppendLine(Inv($"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"""));
        svg.AppendLine(Inv($"""<rect width="{width}" height="{height}" fill="white"/>"""));
        svg.AppendLine(Inv($"""<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{Escape(title)}</text>"""));
        for (var t = 0; t <= 5; t++)
        {
            var v = maxY * t / 5;
            svg.AppendLine(Inv($"""<line x1="{left}" y1="{Y(v):0.0}" x2="{width - right}" y2="{Y(v):0.0}" stroke="#ddd"/><text x="{left - 8}" y="{Y(v) + 4:0.0}" text-anchor="end">{v:0.#}</text>"""));
        }

        foreach (var p in points)
        {
            svg.AppendLine(Inv($"""<text x="{X(p.Talkers):0.0}" y="{height - bottom + 18}" text-anchor="middle">{p.Talkers}</text>"""));
        }

        svg.AppendLine(Inv($"""<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/><line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>"""));
        svg.AppendLine(Inv($"""<text x="{(left + width - right) / 2}" y="{height - 15}" text-anchor="middle">concurrent talkers</text>"""));
        svg.AppendLine(Inv($"""<text transform="translate(18 {(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">added latency (ms)</text>"""));
        for (var k = 0; k < series.Length; k++)
        {
            var (name, color, dash, value) = series[k];
            var line = string.Join(' ', points.Where(p => !double.IsNaN(value(p))).Select(p => Inv($"{X(p.Talkers):0.0},{Y(value(p)):0.0}")));
            svg.AppendLine(Inv($"""<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>"""));
            foreach (var p in points.Where(p => !double.IsNaN(value(p))))
            {
                svg.AppendLine(Inv($"""<circle cx="{X(p.Talkers):0.0}" cy="{Y(value(p)):0.0}" r="3" fill="{color}"/>"""));
            }

            var ly = top + 10 + k * 20;
            svg.AppendLine(Inv($"""<line x1="{width - right + 12}" y1="{ly}" x2="{width - right + 40}" y2="{ly}" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{width - right + 46}" y="{ly + 4}">{name}</text>"""));
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double NiceCeiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (value <= step * magnitude)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    /// <summary>
    /// The collectors' pauses, and how many of the slowest 1 % of turns (by added latency to the first chunk) had at
    /// least a third of their added time inside a pause of the service or of the benchmark.
    /// </summary>
    private static string GcLine(PhaseResult p)
    {
        var parts = p.GcPauses.GroupBy(g => g.Process).OrderBy(g => g.Key).Select(g =>
            Inv($"{g.Key} {g.Count()} pauses, {g.Sum(x => x.DurationMs):0.0} ms in all, longest {g.Max(x => x.DurationMs):0.0} ms ({g.Count(x => x.DurationMs >= 5)} of 5 ms or more)"));
        var slowest = p.Timings.OrderByDescending(t => t.AddedMs).Take(Math.Max(1, p.Timings.Count / 100)).ToList();
        var covered = slowest.Count(t => p.GcPauses.Sum(t.Covered) >= t.AddedMs / 3);
        return "GC pauses: " + string.Join("; ", parts) + Inv($"; of the {slowest.Count} slowest turns, {covered} spent a third or more of their added time in a pause.");
    }

    private static string Three(Percentiles p) => p.Count == 0 ? "–" : Inv($"{p.P50:0.0} / {p.P95:0.0} / {p.P99:0.0}");

    private static string Histogram(IReadOnlyDictionary<int, int> counts) =>
        counts.Count == 0 ? "–" : string.Join(", ", counts.Select(c => Inv($"{c.Key} in {c.Value} turns")));

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static double TotalMemoryGiB()
    {
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
