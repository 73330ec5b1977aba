using System.Collections.Concurrent;

namespace CoachService.Llm.Usage;

/// <summary>Token totals of one task on one model.</summary>
public sealed record LlmUsageTotal(string Task, string Model, long Calls, long InputTokens, long OutputTokens)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>
/// In-memory running totals of LLM token usage per task and model, for tests and session
/// metrics. Thread-safe; a process-wide singleton in the app.
/// </summary>
public sealed class LlmUsageLedger
{
    private readonly ConcurrentDictionary<(string Task, string Model), Entry> _entries = new();

    public void Record(string task, string model, long inputTokens, long outputTokens)
    {
        var entry = _entries.GetOrAdd((task, model), static _ => new Entry());
        Interlocked.Increment(ref entry.Calls);
        Interlocked.Add(ref entry.InputTokens, inputTokens);
        Interlocked.Add(ref entry.OutputTokens, outputTokens);
    }

    /// <summary>Every task/model pair seen so far, ordered by task then model.</summary>
    public IReadOnlyList<LlmUsageTotal> Snapshot() =>
        _entries
            .Select(e => new LlmUsageTotal(
                e.Key.Task, e.Key.Model, Interlocked.Read(ref e.Value.Calls),
                Interlocked.Read(ref e.Value.InputTokens), Interlocked.Read(ref e.Value.OutputTokens)))
            .OrderBy(t => t.Task, StringComparer.Ordinal)
            .ThenBy(t => t.Model, StringComparer.Ordinal)
            .ToList();

    /// <summary>Sum over all entries matching the filters (null matches all).</summary>
    public LlmUsageTotal Total(string? task = null, string? model = null)
    {
        var matching = Snapshot().Where(t => (task is null || t.Task == task) && (model is null || t.Model == model)).ToList();
        return new LlmUsageTotal(
            task ?? "*", model ?? "*", matching.Sum(t => t.Calls), matching.Sum(t => t.InputTokens), matching.Sum(t => t.OutputTokens));
    }

    private sealed class Entry
    {
        public long Calls;
        public long InputTokens;
        public long OutputTokens;
    }
}
