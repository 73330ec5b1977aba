using System.Globalization;
using System.Text;

namespace CoachService.Cli.Reports;

/// <summary>The summary for terminals and pull-request comments: totals, regressions first, failures, then what changed.</summary>
public static class MarkdownReport
{
    public static string Write(ReplayReport report)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine("# Prompt replay");
        md.AppendLine();
        md.AppendLine(inv, $"Prompts `{report.Prompts}` against {report.Baseline}; provider {report.Provider}{(report.Repeat > 1 ? $"; {report.Repeat} samples per turn" : "")}.");
        if (report.Interrupted)
        {
            md.AppendLine();
            md.AppendLine(inv, $"**Interrupted**: {report.Conversations.Count(c => c.Error is null)} of {report.ConversationsPlanned} conversation(s) finished; the figures below cover only what finished.");
        }

        md.AppendLine();
        md.AppendLine("| conversations | turns | changed turns | failed checks | regressions | cache hits | cache misses | tokens in / out | est. cost | latency |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine(inv, $"| {report.Conversations.Count} | {report.AllTurns.Count()} | {report.Changed} | {report.Failures} | {report.Regressions} | {report.CacheHits} | {report.CacheMisses} | {report.InputTokens} / {report.OutputTokens} | ${report.Cost:0.0000} | {report.LatencyMs / 1000:0.0} s |");

        var regressions = Lines(report, c => c.IsRegression).ToList();
        if (regressions.Count > 0)
        {
            md.AppendLine().AppendLine("## Regressions").AppendLine();
            regressions.ForEach(l => md.AppendLine(l));
        }

        var failures = Lines(report, c => c.Current.Verdict == Verdict.Failed && !c.IsRegression).ToList();
        var errors = report.Conversations.Where(c => c.Error is not null).Select(c => $"- `{c.Id}`: {c.Error}").ToList();
        if (failures.Count + errors.Count > 0)
        {
            md.AppendLine().AppendLine("## Failed checks").AppendLine();
            errors.ForEach(l => md.AppendLine(l));
            failures.ForEach(l => md.AppendLine(l));
        }

        var changed = report.RegressionsFirst.Where(c => c.Turns.Any(t => t.Changes.Count > 0)).ToList();
        if (changed.Count > 0)
        {
            md.AppendLine().AppendLine("## Changes").AppendLine();
            foreach (var conversation in changed)
            {
                foreach (var turn in conversation.Turns.Where(t => t.Changes.Count > 0))
                {
                    md.AppendLine(inv, $"- `{conversation.Id}` turn {turn.Turn}: {string.Join("; ", turn.Changes)}");
                }
            }
        }

        var unstable = report.Conversations.SelectMany(c => c.Turns.Where(t => t.Stability is { IsStable: false }).Select(t => (c, t))).ToList();
        if (report.Repeat > 1)
        {
            md.AppendLine().AppendLine("## Stability").AppendLine();
            md.AppendLine(inv, $"{report.AllTurns.Count() - unstable.Count} of {report.AllTurns.Count()} turn(s) gave the same outputs in all {report.Repeat} samples.");
            foreach (var (c, t) in unstable)
            {
                md.AppendLine(inv, $"- `{c.Id}` turn {t.Turn}: {t.Stability!.DistinctReplies} different replies, {t.Stability.DistinctTopEmotions} top emotions, {t.Stability.DistinctSafetyVerdicts} safety verdicts");
            }
        }

        var skipped = report.AllTurns.SelectMany(t => t.Checks).Where(c => c.Current.Verdict == Verdict.Skipped && c.Check == Checks.CheckNames.Judge)
            .Select(c => c.Current.Reason).Distinct().ToList();
        if (skipped.Count > 0)
        {
            md.AppendLine().AppendLine("## Skipped").AppendLine();
            skipped.ForEach(s => md.AppendLine("- " + s));
        }

        return md.ToString();
    }

    private static IEnumerable<string> Lines(ReplayReport report, Func<CheckComparison, bool> which) =>
        report.RegressionsFirst.SelectMany(c => c.Turns.SelectMany(t => t.Checks.Where(which).Select(check =>
            $"- `{c.Id}` turn {t.Turn}: {check.Check} failed: {check.Current.Reason}" +
            (check.Baseline is { } b ? $" (baseline: {b.Verdict.ToString().ToLowerInvariant()})" : ""))));
}
