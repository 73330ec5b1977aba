using CoachService.Cli.Checks;
using CoachService.Cli.Recordings;
using CoachService.Cli.Reports;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace CoachService.Cli.Replay;

/// <param name="CacheFolder">The response cache; null bypasses it (--no-cache).</param>
public sealed record ReplaySettings(
    IReadOnlyList<string> Recordings, string Prompts, string Baseline, string? Checks, int Repeat, string? CacheFolder);

/// <summary>
/// A replay run: every recording, every turn, on the current prompts and on the baseline; the checks on
/// both sides; the changes between them. Cancelling (Ctrl+C) stops at the next call and returns what
/// finished, marked as interrupted; the cache only ever holds whole answers.
/// </summary>
public sealed class ReplayRun(IConfiguration configuration, PricingOptions prices, IAnsiConsole console)
{
    /// <summary>Called after each replayed turn with the turns done and the turns planned (the progress bar).</summary>
    public Action<int, int>? Progress { get; init; }

    private int _turnsDone, _turnsPlanned;

    public async Task<ReplayReport> RunAsync(ReplaySettings settings, CancellationToken cancellationToken)
    {
        var files = settings.Recordings.SelectMany(RecordingFiles.Find).Distinct().ToList();
        var recordings = files.Select(f => (File: f, Recording: RecordingFiles.Read(f))).ToList();
        var checks = settings.Checks is { } path ? ChecksFile.Load(path) : ChecksFile.Default();
        _turnsPlanned = recordings.Sum(r => r.Recording.Turns.Count);

        using var baseline = await BaselinePrompts.ResolveAsync(settings.Baseline, settings.Prompts, cancellationToken);
        var engines = new List<ReplayEngine>();
        ReplayEngine? baselineEngine = null;
        try
        {
            for (var sample = 1; sample <= settings.Repeat; sample++)
            {
                // Each sample has a cache of its own: a rerun is free, and the samples still differ.
                var cache = settings.CacheFolder is null ? null : sample == 1 ? settings.CacheFolder : Path.Combine(settings.CacheFolder, $"sample-{sample}");
                engines.Add(ReplayEngine.Create(configuration, settings.Prompts, cache));
            }

            if (baseline.Folder is { } folder)
            {
                baselineEngine = ReplayEngine.Create(configuration, folder, settings.CacheFolder);
            }

            var current = engines[0];
            var judge = new JudgeRunner(current, checks.Folder);
            var results = new List<ConversationResult>();
            var interrupted = false;
            try
            {
                foreach (var (file, recording) in recordings)
                {
                    var turns = new List<TurnResult>();
                    try
                    {
                        results.Add(await ReplayConversationAsync(file, recording, engines, baselineEngine, checks, judge, turns, cancellationToken));
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        if (turns.Count > 0)
                        {
                            results.Add(new ConversationResult(recording.Id, file, recording.Title, turns, $"interrupted after turn {turns.Count} of {recording.Turns.Count}"));
                        }

                        throw;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
            }

            return new ReplayReport(
                Shown(current.PromptsFolder), baseline.Label, Provider(current), results,
                engines.Sum(e => e.Cache.Hits) + (baselineEngine?.Cache.Hits ?? 0),
                engines.Sum(e => e.Cache.Misses) + (baselineEngine?.Cache.Misses ?? 0),
                settings.Repeat, interrupted, recordings.Count);
        }
        finally
        {
            foreach (var engine in engines)
            {
                await engine.DisposeAsync();
            }

            if (baselineEngine is not null)
            {
                await baselineEngine.DisposeAsync();
            }
        }
    }

    private async Task<ConversationResult> ReplayConversationAsync(
        string file, ConversationRecording recording, IReadOnlyList<ReplayEngine> engines, ReplayEngine? baselineEngine, ChecksFile checks,
        JudgeRunner judge, List<TurnResult> turns, CancellationToken cancellationToken)
    {
        var current = engines[0];
        var replayers = engines.Select(e => new ConversationReplayer(e)).ToList();
        var baselineReplayer = baselineEngine is null ? null : new ConversationReplayer(baselineEngine);
        var missing = replayers[0].MissingPrompts(recording);
        var missingInBaseline = baselineReplayer?.MissingPrompts(recording) ?? [];
        if (missing.Count > 0 || missingInBaseline.Count > 0)
        {
            var error = missing.Count > 0
                ? $"the recording needs prompt(s) {string.Join(", ", missing)}, missing from {current.PromptsFolder}"
                : $"the recording needs prompt(s) {string.Join(", ", missingInBaseline)}, missing from the baseline";
            console.MarkupLine("[red]✗[/] " + Markup.Escape($"{recording.Id}: {error}"));
            return new ConversationResult(recording.Id, file, recording.Title, [], error);
        }

        var scoreFrom = checks.ScoreFromTurn(recording.Id, recording.Turns.Count);
        TurnOutputs? previousNow = null, previousBefore = null;
        for (var i = 0; i < recording.Turns.Count; i++)
        {
            var now = await replayers[0].ReplayTurnAsync(recording, i, scoreFrom, cancellationToken);
            Stability? stability = null;
            if (replayers.Count > 1)
            {
                var samples = new List<TurnOutputs> { now };
                foreach (var replayer in replayers.Skip(1))
                {
                    samples.Add(await replayer.ReplayTurnAsync(recording, i, scoreFrom, cancellationToken));
                }

                stability = new Stability(samples.Count,
                    samples.Select(s => s.Reply).Distinct().Count(),
                    samples.Select(OutputChanges.TopEmotion).Distinct().Count(),
                    samples.Select(s => s.Safety?.GetProperty("risk_level").GetString()).Distinct().Count());
            }

            var before = baselineReplayer is null
                ? TurnOutputs.FromRecording(recording.Turns[i])
                : await baselineReplayer.ReplayTurnAsync(recording, i, scoreFrom, cancellationToken);
            var comparisons = new List<CheckComparison>();
            foreach (var spec in checks.For(recording.Id, i + 1))
            {
                var evaluator = CheckNames.Create(spec, judge);
                var nowVerdict = await EvaluateAsync(evaluator, spec, recording, i, now, previousNow, current, cancellationToken);
                var beforeVerdict = await EvaluateAsync(evaluator, spec, recording, i, before, previousBefore, baselineEngine ?? current, cancellationToken);
                comparisons.Add(new CheckComparison(spec.Name, beforeVerdict, nowVerdict));
            }

            turns.Add(new TurnResult(i + 1, recording.Turns[i].User, before, now, OutputChanges.Between(before, now), comparisons, stability, prices.Cost(now.Calls)));
            (previousNow, previousBefore) = (now, before);
            Progress?.Invoke(++_turnsDone, _turnsPlanned);
        }

        var result = new ConversationResult(recording.Id, file, recording.Title, [.. turns]);
        var failed = turns.Sum(t => t.Checks.Count(c => c.Current.Verdict == Verdict.Failed));
        console.MarkupLine((failed > 0 ? "[red]✗[/] " : "[green]✓[/] ") + Markup.Escape(
            $"{recording.Id}: {turns.Count} turn(s), {turns.Count(t => t.Changes.Count > 0)} changed, {failed} check(s) failed"));
        return result;
    }

    private static async Task<CheckVerdict> EvaluateAsync(
        IEvaluator evaluator, CheckSpec spec, ConversationRecording recording, int index, TurnOutputs outputs, TurnOutputs? previous,
        ReplayEngine engine, CancellationToken cancellationToken)
    {
        var context = new TurnUnderCheck(recording, index, outputs, previous, engine.Prompts, engine.Coaching.CrisisReply, !engine.Llm.UsesModel);
        var messages = recording.Turns.Take(index + 1).SelectMany(t => new[] { new ChatMessage(ChatRole.User, t.User), new ChatMessage(ChatRole.Assistant, t.Heard ?? t.Reply) })
            .SkipLast(1).ToList();
        EvaluationResult result;
        try
        {
            result = await evaluator.EvaluateAsync(messages, new ChatResponse(new ChatMessage(ChatRole.Assistant, outputs.Reply)), additionalContext: [context], cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is Llm.LlmException or Llm.Tasks.LlmOutputInvalidException)
        {
            return new CheckVerdict(spec.Name, Verdict.Failed, $"the check's model call failed: {e.Message}");
        }

        var metric = result.Get<BooleanMetric>(spec.Name);
        var verdict = metric.Interpretation?.Failed == true ? Verdict.Failed : metric.Value is null ? Verdict.Skipped : Verdict.Passed;
        return new CheckVerdict(spec.Name, verdict, metric.Reason ?? "");
    }

    /// <summary>A folder under the working directory as a relative path, so a report shows "prompts", not where the checkout is.</summary>
    private static string Shown(string folder)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), folder);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? folder : relative;
    }

    private static string Provider(ReplayEngine engine) =>
        engine.Llm.UsesModel ? $"{engine.Llm.Provider.ToLowerInvariant()} {engine.Llm.Model}" : "offline (heuristic engine)";
}
