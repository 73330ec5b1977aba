using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Progress;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Conversations;

/// <summary>Starting, resuming and ending coaching sessions.</summary>
public sealed class SessionLifecycle(
    CoachDatabase database,
    CoachingSessions sessions,
    LlmTaskRunner tasks,
    ActiveTurns active,
    BackgroundWork background,
    TimeProvider time)
{
    public async Task<SessionStarted> StartAsync(Guid userId, string sessionType, string? persona, CancellationToken cancellationToken)
    {
        var session = await sessions.StartAsync(userId, sessionType, persona, cancellationToken);
        var resolved = await database.ForUserAsync(userId, db => ConversationContext.PersonaOfAsync(db, session, cancellationToken), cancellationToken);
        return new SessionStarted(session.Id, session.SessionType, resolved, session.Status, session.StartedAt, session.SessionDate);
    }

    /// <summary>The session's messages after <paramref name="afterSequence"/>, for a client that reconnected.</summary>
    public Task<SessionResumed> ResumeAsync(Guid userId, Guid sessionId, int afterSequence, CancellationToken cancellationToken)
    {
        if (afterSequence < 0)
        {
            throw new DomainValidationException("after_sequence", "after_sequence must not be negative");
        }

        return database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
                ?? throw new DomainNotFoundException("session", sessionId);
            var messages = await db.Messages.AsNoTracking()
                .Where(m => m.SessionId == sessionId && m.SequenceNumber > afterSequence)
                .OrderBy(m => m.SequenceNumber)
                .Select(m => new SessionMessage(m.SequenceNumber, m.Role, m.Kind, m.Content, m.Interrupted, m.ClientTurnId, m.CreatedAt))
                .ToListAsync(cancellationToken);
            var streaming = active.Find(sessionId) is { } turn && turn.UserId == userId ? turn.TurnId : null;
            return new SessionResumed(sessionId, session.Status, await ConversationContext.PersonaOfAsync(db, session, cancellationToken), messages, streaming);
        }, cancellationToken);
    }

    /// <summary>
    /// Ends the session: the summary (virtue, key insights), suggested SMART goals, the session's
    /// emotional snapshot, duration, streaks, achievements and metrics, stored together.
    /// </summary>
    public async Task<SessionSummary> EndAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken)
    {
        var (persona, goals) = await database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
                ?? throw new DomainNotFoundException("session", sessionId);
            if (session.Status is "completed" or "failed")
            {
                throw new DomainStateException($"session {sessionId} is already {session.Status}", session.Status);
            }

            return (
                await ConversationContext.PersonaOfAsync(db, session, cancellationToken),
                await db.Goals.Where(g => g.Status == "active").Select(g => g.GoalText).ToListAsync(cancellationToken));
        }, cancellationToken);

        if (active.Find(sessionId) is { } running && running.UserId == userId)
        {
            running.Stop(StopReason.SessionEnded);
            await running.Done.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }

        // The last turn's emotions belong in the session's snapshot.
        await background.WhenIdleAsync(sessionId, TimeSpan.FromSeconds(30));
        var (transcript, userTurns) = await database.ForUserAsync(userId, async db =>
            (await TurnOrchestrator.TranscriptAsync(db, sessionId, cancellationToken),
             await db.Messages.CountAsync(m => m.SessionId == sessionId && m.Role == "user", cancellationToken)), cancellationToken);

        StructuredResult<SessionSummaryResult>? summary = null;
        StructuredResult<GoalSuggestionsResult>? suggestions = null;
        if (userTurns > 0)
        {
            summary = await tasks.RunStructuredAsync<SessionSummaryResult>(CoachTask.SessionSummary,
                new Dictionary<string, object?> { ["persona"] = persona, ["transcript"] = transcript }, cancellationToken);
            suggestions = await tasks.RunStructuredAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions,
                new Dictionary<string, object?> { ["transcript"] = transcript, ["active_goals"] = goals }, cancellationToken);
        }

        return await database.ForUserAsync(userId, async db =>
        {
            var snapshot = await SessionSnapshotAsync(db, sessionId, cancellationToken);
            var metrics = await MetricsAsync(db, sessionId, cancellationToken);
            var metadata = new Dictionary<string, string>();
            if (summary is not null && suggestions is not null)
            {
                metadata["model"] = summary.ModelId ?? "";
                metadata["prompt_version.session_summary"] = summary.PromptVersion;
                metadata["prompt_version.goal_suggestions"] = suggestions.PromptVersion;
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
                "completed",
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

    /// <summary>The session's emotions: each emotion once, at its strongest, the most frequent first (at most five).</summary>
    private static async Task<List<EmotionReading>> SessionSnapshotAsync(CoachDbContext db, Guid sessionId, CancellationToken cancellationToken)
    {
        var emotions = await db.MessageEmotions.AsNoTracking()
            .Where(e => e.SessionId == sessionId)
            .Select(e => new { e.Emotion, e.Intensity, e.Color, e.Confidence })
            .ToListAsync(cancellationToken);
        return emotions
            .GroupBy(e => e.Emotion)
            .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Max(e => e.Intensity)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(5)
            .Select(g => new EmotionReading(g.Key, g.Max(e => e.Intensity), g.First().Color, (double)Math.Round(g.Average(e => e.Confidence), 2)))
            .ToList();
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
