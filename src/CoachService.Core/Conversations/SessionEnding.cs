using CoachService.Conversations.Preemptive;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Progress;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Conversations;

/// <summary>
/// Ends a session, in one place: stops a reply still being generated, reads what the summary needs
/// once, makes the model calls (the summary and the goal suggestions, together), and stores the
/// outcome with the session's snapshot, duration, streaks, achievements and metrics in one unit of work.
/// </summary>
public sealed class SessionEnding(
    CoachDatabase database,
    LlmTaskRunner tasks,
    ActiveTurns active,
    TurnClaims claims,
    TurnCoordinator coordinator,
    BackgroundWork background,
    PreemptiveGeneration preemptive,
    CarriedContexts carried,
    TimeProvider time)
{
    /// <summary>Session metadata keys: the prompt versions of the summary and the suggestions, and the virtue's description (read by the coach tool's recorder too).</summary>
    public const string SummaryDone = "prompt_version.session_summary", SuggestionsDone = "prompt_version.goal_suggestions";
    public const string VirtueDescription = "virtue.description";

    private sealed record EndingInputs(
        string Persona, List<string> ActiveGoals, string Transcript, int UserTurns, bool OnboardingUnfinished,
        SessionSummaryResult? StoredSummary, IReadOnlyList<SuggestedGoal>? StoredSuggestions);

    public async Task<SessionSummary> EndAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken)
    {
        if (active.Find(sessionId) is { } running && running.UserId == userId)
        {
            running.Stop(StopReason.SessionEnded);
            await running.Done.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        else if (await claims.FindAsync(userId, sessionId, cancellationToken) is { } claim)
        {
            // Answered by another instance: it stops and stores what was produced before the session ends.
            await coordinator.StopElsewhereAsync(claim, StopReason.SessionEnded, null, cancellationToken);
        }

        // The last turn's emotions belong in the session's snapshot.
        await background.WhenIdleAsync(sessionId, TimeSpan.FromSeconds(30));

        var inputs = await database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
                ?? throw new DomainNotFoundException("session", sessionId);
            session.EnsureCanEnd();
            // A part stored by an earlier attempt that half failed is not asked for again.
            var storedSummary = session.Metadata.ContainsKey(SummaryDone) && session.VirtueEarned is { } virtue
                ? new SessionSummaryResult(new VirtueEarned(virtue, session.Metadata.GetValueOrDefault(VirtueDescription, "")), session.KeyInsights ?? [])
                : null;
            return new EndingInputs(
                await ConversationContext.PersonaOfAsync(db, session, cancellationToken),
                await db.Goals.Where(g => g.Status == "active").Select(g => g.GoalText).ToListAsync(cancellationToken),
                await Transcript.OfSessionAsync(db, sessionId, cancellationToken),
                await db.Messages.CountAsync(m => m.SessionId == sessionId && m.Role == "user", cancellationToken),
                session.SessionType == "onboarding_assessment" && !session.Metadata.ContainsKey(Onboarding.OnboardingCompletion.Completed),
                storedSummary,
                session.Metadata.ContainsKey(SuggestionsDone) ? session.SuggestedGoals ?? [] : null);
        }, cancellationToken);

        TaskAttempt<SessionSummaryResult>? summary = null;
        TaskAttempt<GoalSuggestionsResult>? suggestions = null;
        string? notice = null;
        if (inputs.OnboardingUnfinished)
        {
            // No profile was scored: there is nothing to summarise as a coaching session, and no virtue to award.
            notice = "the onboarding assessment was not finished, so no profile was scored and no virtue was awarded; start a new onboarding session to finish it";
        }
        else if (inputs.UserTurns > 0)
        {
            var summarizing = inputs.StoredSummary is not null ? null : TaskAttempt<SessionSummaryResult>.RunAsync(CoachTask.SessionSummary, () =>
                tasks.RunStructuredAsync<SessionSummaryResult>(CoachTask.SessionSummary,
                    new Dictionary<string, object?> { ["persona"] = inputs.Persona, ["transcript"] = inputs.Transcript }, cancellationToken));
            var suggesting = inputs.StoredSuggestions is not null ? null : TaskAttempt<GoalSuggestionsResult>.RunAsync(CoachTask.GoalSuggestions, () =>
                tasks.RunStructuredAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions,
                    new Dictionary<string, object?> { ["transcript"] = inputs.Transcript, ["active_goals"] = inputs.ActiveGoals }, cancellationToken));
            summary = summarizing is null ? null : await summarizing;
            suggestions = suggesting is null ? null : await suggesting;
            cancellationToken.ThrowIfCancellationRequested();
            if (summary?.Succeeded == false || suggestions?.Succeeded == false)
            {
                await KeepPartAsync(userId, sessionId, summary?.Result, suggestions?.Result);
                throw new IncompleteModelWorkException("the session could not be ended", "call EndSession again to make the rest",
                    ("the session summary", summary?.Failure), ("the goal suggestions", suggestions?.Failure));
            }
        }

        var summaryValue = summary?.Result?.Value ?? inputs.StoredSummary;
        var suggested = suggestions?.Result?.Value.Goals ?? inputs.StoredSuggestions;
        carried.Forget(sessionId);
        // Speculations nobody adopted, and those of turns that stored no reply, count as the session's waste.
        var unstoredWaste = await preemptive.EndSessionAsync(sessionId);
        try
        {
            return await CompleteAsync(userId, sessionId, summary, suggestions, summaryValue, suggested, notice, unstoredWaste, cancellationToken);
        }
        catch
        {
            preemptive.KeepWaste(userId, sessionId, unstoredWaste);
            throw;
        }
    }

    private Task<SessionSummary> CompleteAsync(
        Guid userId, Guid sessionId, TaskAttempt<SessionSummaryResult>? summary, TaskAttempt<GoalSuggestionsResult>? suggestions,
        SessionSummaryResult? summaryValue, IReadOnlyList<SuggestedGoal>? suggested, string? notice,
        SpeculationWaste unstoredWaste, CancellationToken cancellationToken) =>
        database.ForUserAsync(userId, async db =>
        {
            var snapshot = await EmotionalSnapshots.OfSessionAsync(db, sessionId, cancellationToken);
            var metrics = await MetricsAsync(db, sessionId, cancellationToken);
            metrics["wasted_input_tokens"] += unstoredWaste.InputTokens;
            metrics["wasted_output_tokens"] += unstoredWaste.OutputTokens;
            var metadata = new Dictionary<string, string>();
            if (summary?.Result is { } summarized)
            {
                metadata["model"] = summarized.ModelId ?? "";
                metadata[SummaryDone] = summarized.PromptVersion;
                if (summarized.RenderedPromptHash is { } summaryHash)
                {
                    metadata["prompt_hash.session_summary"] = summaryHash;
                }
            }

            if (suggestions?.Result is { } offered)
            {
                metadata[SuggestionsDone] = offered.PromptVersion;
                if (offered.RenderedPromptHash is { } suggestionsHash)
                {
                    metadata["prompt_hash.goal_suggestions"] = suggestionsHash;
                }
            }

            var used = new[] { summary?.Result?.Usage, suggestions?.Result?.Usage }.OfType<LlmUsage>().ToList();
            if (used.Count > 0)
            {
                metrics["summary_input_tokens"] = used.Sum(u => u.InputTokens);
                metrics["summary_output_tokens"] = used.Sum(u => u.OutputTokens);
            }

            // A turn claimed after the stop above can store nothing now: its claim goes with the session.
            await TurnClaims.CloseAllAsync(db, sessionId, cancellationToken);
            var now = time.GetUtcNow();
            var completed = await SessionCompletion.CompleteAsync(db, sessionId, new SessionOutcome(
                summaryValue?.Virtue, snapshot, summaryValue?.KeyInsights ?? [], suggested ?? [], metadata), now, cancellationToken);
            metrics["duration_seconds"] = completed.DurationSeconds;
            foreach (var (name, value) in metrics)
            {
                db.SessionMetrics.Add(new SessionMetric
                {
                    UserId = userId, SessionId = sessionId, Name = name, Value = value, Unit = UnitOf(name), CalculatedAt = now,
                });
            }

            return new SessionSummary(
                sessionId,
                SessionStatus.Completed.ToWire(),
                completed.DurationSeconds,
                summaryValue?.Virtue,
                summaryValue?.KeyInsights ?? [],
                (suggested ?? []).Select((g, i) => new OfferedGoal(i, g)).ToList(),
                snapshot,
                completed.DailyStreak.Current,
                completed.DailyStreak.Longest,
                completed.NewAchievements,
                metrics,
                notice);
        }, cancellationToken);

    /// <summary>Stores the part that worked of a half-failed ending, so that ending again asks only for the rest.</summary>
    private Task KeepPartAsync(Guid userId, Guid sessionId, StructuredResult<SessionSummaryResult>? summary, StructuredResult<GoalSuggestionsResult>? suggestions) =>
        database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.SingleAsync(s => s.Id == sessionId, CancellationToken.None);
            if (summary is not null)
            {
                session.VirtueEarned = summary.Value.Virtue.Name;
                session.KeyInsights = [.. summary.Value.KeyInsights];
                session.Metadata[VirtueDescription] = summary.Value.Virtue.Description;
                session.Metadata[SummaryDone] = summary.PromptVersion;
            }

            if (suggestions is not null)
            {
                session.SuggestedGoals = [.. suggestions.Value.Goals];
                session.Metadata[SuggestionsDone] = suggestions.PromptVersion;
            }
        }, CancellationToken.None);

    private static async Task<Dictionary<string, decimal>> MetricsAsync(CoachDbContext db, Guid sessionId, CancellationToken cancellationToken)
    {
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.SessionId == sessionId)
            .Select(m => new { m.Role, m.InputTokens, m.OutputTokens, m.WastedInputTokens, m.WastedOutputTokens, m.TimeToFirstTokenMs, m.TimeToFirstSentenceMs, m.TotalMs, m.Interrupted })
            .ToListAsync(cancellationToken);
        var replies = messages.Where(m => m.Role == "assistant").ToList();

        static decimal Average(IEnumerable<int?> values)
        {
            var present = values.Where(v => v is not null).Select(v => (decimal)v!.Value).ToList();
            return present.Count == 0 ? 0 : Math.Round(present.Average(), 1);
        }

        return new Dictionary<string, decimal>
        {
            ["turns"] = messages.Count(m => m.Role == "user"),
            ["replies"] = replies.Count,
            ["interruptions"] = replies.Count(m => m.Interrupted),
            ["input_tokens"] = replies.Sum(m => m.InputTokens ?? 0),
            ["output_tokens"] = replies.Sum(m => m.OutputTokens ?? 0),
            ["wasted_input_tokens"] = replies.Sum(m => m.WastedInputTokens ?? 0),
            ["wasted_output_tokens"] = replies.Sum(m => m.WastedOutputTokens ?? 0),
            ["avg_time_to_first_token_ms"] = Average(replies.Select(m => m.TimeToFirstTokenMs)),
            ["avg_time_to_first_sentence_ms"] = Average(replies.Select(m => m.TimeToFirstSentenceMs)),
            ["avg_reply_ms"] = Average(replies.Select(m => m.TotalMs)),
        };
    }

    private static string UnitOf(string metric) => metric switch
    {
        "turns" or "replies" or "interruptions" => "count",
        "duration_seconds" => "seconds",
        _ when metric.EndsWith("_ms", StringComparison.Ordinal) => "ms",
        _ when metric.EndsWith("tokens", StringComparison.Ordinal) => "tokens",
        _ => "",
    };
}
