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
    BackgroundWork background,
    TimeProvider time)
{
    private sealed record EndingInputs(string Persona, List<string> ActiveGoals, string Transcript, int UserTurns);

    public async Task<SessionSummary> EndAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken)
    {
        if (active.Find(sessionId) is { } running && running.UserId == userId)
        {
            running.Stop(StopReason.SessionEnded);
            await running.Done.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }

        // The last turn's emotions belong in the session's snapshot.
        await background.WhenIdleAsync(sessionId, TimeSpan.FromSeconds(30));

        var inputs = await database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
                ?? throw new DomainNotFoundException("session", sessionId);
            session.EnsureCanEnd();
            return new EndingInputs(
                await ConversationContext.PersonaOfAsync(db, session, cancellationToken),
                await db.Goals.Where(g => g.Status == "active").Select(g => g.GoalText).ToListAsync(cancellationToken),
                await Transcript.OfSessionAsync(db, sessionId, cancellationToken),
                await db.Messages.CountAsync(m => m.SessionId == sessionId && m.Role == "user", cancellationToken));
        }, cancellationToken);

        StructuredResult<SessionSummaryResult>? summary = null;
        StructuredResult<GoalSuggestionsResult>? suggestions = null;
        if (inputs.UserTurns > 0)
        {
            var summarizing = tasks.RunStructuredAsync<SessionSummaryResult>(CoachTask.SessionSummary,
                new Dictionary<string, object?> { ["persona"] = inputs.Persona, ["transcript"] = inputs.Transcript }, cancellationToken);
            var suggesting = tasks.RunStructuredAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions,
                new Dictionary<string, object?> { ["transcript"] = inputs.Transcript, ["active_goals"] = inputs.ActiveGoals }, cancellationToken);
            await Task.WhenAll(summarizing, suggesting);
            (summary, suggestions) = (await summarizing, await suggesting);
        }

        return await database.ForUserAsync(userId, async db =>
        {
            var snapshot = await EmotionalSnapshots.OfSessionAsync(db, sessionId, cancellationToken);
            var metrics = await MetricsAsync(db, sessionId, cancellationToken);
            var metadata = new Dictionary<string, string>();
            if (summary is not null && suggestions is not null)
            {
                metadata["model"] = summary.ModelId ?? "";
                metadata["prompt_version.session_summary"] = summary.PromptVersion;
                metadata["prompt_version.goal_suggestions"] = suggestions.PromptVersion;
                if (summary.RenderedPromptHash is { } summaryHash && suggestions.RenderedPromptHash is { } suggestionsHash)
                {
                    metadata["prompt_hash.session_summary"] = summaryHash;
                    metadata["prompt_hash.goal_suggestions"] = suggestionsHash;
                }
                metrics["summary_input_tokens"] = summary.Usage.InputTokens + suggestions.Usage.InputTokens;
                metrics["summary_output_tokens"] = summary.Usage.OutputTokens + suggestions.Usage.OutputTokens;
            }

            var now = time.GetUtcNow();
            var completed = await SessionCompletion.CompleteAsync(db, sessionId, new SessionOutcome(
                summary?.Value.Virtue, snapshot, summary?.Value.KeyInsights ?? [], suggestions?.Value.Goals ?? [], metadata), now, cancellationToken);
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
                summary?.Value.Virtue,
                summary?.Value.KeyInsights ?? [],
                (suggestions?.Value.Goals ?? []).Select((g, i) => new OfferedGoal(i, g)).ToList(),
                snapshot,
                completed.DailyStreak.Current,
                completed.DailyStreak.Longest,
                completed.NewAchievements,
                metrics);
        }, cancellationToken);
    }

    private static async Task<Dictionary<string, decimal>> MetricsAsync(CoachDbContext db, Guid sessionId, CancellationToken cancellationToken)
    {
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.SessionId == sessionId)
            .Select(m => new { m.Role, m.InputTokens, m.OutputTokens, m.TimeToFirstTokenMs, m.TimeToFirstSentenceMs, m.TotalMs, m.Interrupted })
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
