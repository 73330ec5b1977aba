using CoachService.Cli.Replay;

namespace CoachService.Cli.Reports;

public enum Verdict
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One check's result on one side of a turn.</summary>
public sealed record CheckVerdict(string Check, Verdict Verdict, string Reason);

/// <summary>A check's result on both sides; a regression fails now and did not fail in the baseline.</summary>
public sealed record CheckComparison(string Check, CheckVerdict? Baseline, CheckVerdict Current)
{
    public bool IsRegression => Current.Verdict == Verdict.Failed && Baseline?.Verdict != Verdict.Failed;
}

/// <summary>How alike the samples of a turn were (--repeat N).</summary>
public sealed record Stability(int Samples, int DistinctReplies, int DistinctTopEmotions, int DistinctSafetyVerdicts)
{
    public bool IsStable => DistinctReplies == 1 && DistinctTopEmotions <= 1 && DistinctSafetyVerdicts <= 1;
}

public sealed record TurnResult(
    int Turn,
    string User,
    TurnOutputs Baseline,
    TurnOutputs Current,
    IReadOnlyList<string> Changes,
    IReadOnlyList<CheckComparison> Checks,
    Stability? Stability,
    decimal Cost)
{
    public bool HasRegression => Checks.Any(c => c.IsRegression);

    public bool HasFailure => Checks.Any(c => c.Current.Verdict == Verdict.Failed);
}

/// <param name="Error">Why the conversation could not be replayed (a prompt it names is missing); its turns are then empty.</param>
public sealed record ConversationResult(string Id, string File, string? Title, IReadOnlyList<TurnResult> Turns, string? Error = null)
{
    public bool HasRegression => Turns.Any(t => t.HasRegression);

    public bool HasFailure => Error is not null || Turns.Any(t => t.HasFailure);
}

/// <summary>What a replay run found, for the Markdown and HTML reports and the exit code.</summary>
public sealed record ReplayReport(
    string Prompts,
    string Baseline,
    string Provider,
    IReadOnlyList<ConversationResult> Conversations,
    int CacheHits,
    int CacheMisses,
    int Repeat,
    bool Interrupted,
    int ConversationsPlanned)
{
    public IEnumerable<TurnResult> AllTurns => Conversations.SelectMany(c => c.Turns);

    public long InputTokens => AllTurns.Sum(t => t.Current.InputTokens);

    public long OutputTokens => AllTurns.Sum(t => t.Current.OutputTokens);

    public decimal Cost => AllTurns.Sum(t => t.Cost);

    public double LatencyMs => AllTurns.Sum(t => t.Current.Calls.Sum(c => c.LatencyMs));

    public int Failures => AllTurns.Sum(t => t.Checks.Count(c => c.Current.Verdict == Verdict.Failed)) + Conversations.Count(c => c.Error is not null);

    public int Regressions => AllTurns.Sum(t => t.Checks.Count(c => c.IsRegression));

    public int Changed => AllTurns.Count(t => t.Changes.Count > 0);

    /// <summary>Conversations with a regression first, then failures, then the rest, each group in file order.</summary>
    public IEnumerable<ConversationResult> RegressionsFirst =>
        Conversations.OrderBy(c => c.HasRegression ? 0 : c.HasFailure ? 1 : 2);
}
