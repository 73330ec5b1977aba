using System.Text;
using CoachService.Goals;
using CoachService.Llm;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Profiles;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Conversations;

/// <summary>
/// Runs a user's turn: stores the message (once per client turn id), screens it for a crisis,
/// builds the context, streams the reply in sentence-marked pieces, stores the reply with its
/// figures, then computes the turn's emotions off the streaming path. Barge-in and disconnects
/// stop the generation and keep only what was heard or produced.
/// </summary>
public sealed partial class TurnOrchestrator(
    CoachDatabase database,
    LlmTaskRunner tasks,
    ActiveTurns active,
    BackgroundWork background,
    IOptions<CoachingOptions> options,
    TimeProvider time,
    ILogger<TurnOrchestrator> logger)
{
    private static readonly SemaphoreSlim[] SessionGates = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    private CoachingOptions Options => options.Value;

    public async Task<TurnAccepted> SendTurnAsync(
        Guid userId, Guid sessionId, string turnId, string text, ITurnListener listener, string? connectionId, CancellationToken cancellationToken)
    {
        ValidateTurnId(turnId);
        text = (text ?? "").Trim();
        if (text.Length == 0)
        {
            throw new DomainValidationException("text", "text must not be empty");
        }

        if (text.Length > Options.MaxTurnLength)
        {
            throw new DomainValidationException("text", $"text may be at most {Options.MaxTurnLength} characters; this turn has {text.Length}");
        }

        var gate = SessionGates[(sessionId.GetHashCode() & 0x7fffffff) % SessionGates.Length];
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (active.Find(sessionId) is { } running)
            {
                if (running.UserId != userId)
                {
                    throw new DomainNotFoundException("session", sessionId);
                }

                if (running.TurnId != turnId)
                {
                    throw new DomainStateException(
                        $"the reply to turn '{running.TurnId}' is still being generated; interrupt it or wait for it to finish", "answering");
                }

                // A repeat of the turn being answered joins it.
                return new TurnAccepted(sessionId, turnId, "streaming", running.UserSequence, null, running.Join(listener));
            }

            var stored = await database.ForUserAsync(userId, db => StoreUserMessageAsync(db, sessionId, turnId, text, time.GetUtcNow(), cancellationToken), cancellationToken);
            if (stored.Reply is not null)
            {
                return new TurnAccepted(sessionId, turnId, "completed", stored.UserSequence, stored.Reply, []);
            }

            var turn = new ActiveTurn(userId, sessionId, turnId, stored.UserSequence);
            active.TryBegin(turn); // free: checked under the session's gate
            var missed = turn.Join(listener);
            _ = Task.Run(async () =>
            {
                try
                {
                    await RunAsync(turn, stored.Text);
                }
                catch (Exception e)
                {
                    // RunAsync handles the turn's own failures; this is one while handling them (say, storing a cut reply).
                    LogTurnFailed(logger, turn.SessionId, turn.TurnId, e.GetType().Name, e.Message);
                }
            }, CancellationToken.None);
            return new TurnAccepted(sessionId, turnId, "streaming", stored.UserSequence, null, missed);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Barge-in: stops a reply being generated, or cuts a reply that was generated but is still being
    /// spoken, to what the user heard. Returns once the cut reply is stored.
    /// </summary>
    public async Task<TurnInterrupted> InterruptAsync(Guid userId, Guid sessionId, string turnId, HeardPart heard, CancellationToken cancellationToken)
    {
        ValidateTurnId(turnId);
        if ((heard.Characters is null) == (heard.Text is null))
        {
            throw new DomainValidationException("heard", "give how much was heard either as characters or as text, not both");
        }

        if (heard.Characters < 0)
        {
            throw new DomainValidationException("heard.characters", "heard.characters must not be negative");
        }

        if (active.Find(sessionId) is { } running && running.UserId == userId && running.TurnId == turnId)
        {
            running.Stop(StopReason.BargeIn, heard);
            var kept = await running.Done.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            if (kept is not null)
            {
                return new TurnInterrupted(sessionId, turnId, kept.Sequence, kept.Content);
            }
        }

        return await database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
                ?? throw new DomainNotFoundException("session", sessionId);
            if (session.Status is "completed" or "failed")
            {
                throw new DomainStateException($"session {sessionId} is {session.Status}; its messages can no longer change", session.Status);
            }

            var reply = await db.Messages.SingleOrDefaultAsync(
                    m => m.SessionId == sessionId && m.ClientTurnId == turnId && m.Role == "assistant", cancellationToken)
                ?? throw new DomainNotFoundException("reply to turn", turnId);
            var latest = await db.Messages.Where(m => m.SessionId == sessionId).MaxAsync(m => m.SequenceNumber, cancellationToken);
            if (reply.SequenceNumber != latest)
            {
                throw new DomainStateException($"only the latest reply can be interrupted; turn '{turnId}' was followed by others", "superseded");
            }

            var heardText = HeardOf(reply.Content, heard);
            if (heardText.Length < reply.Content.Length)
            {
                reply.Content = heardText;
                reply.HeardContent = heardText;
                reply.Interrupted = true;
            }

            return new TurnInterrupted(sessionId, turnId, reply.SequenceNumber, reply.Content);
        }, cancellationToken);
    }

    /// <summary>
    /// A partial transcript: checked and accepted, never stored as a turn. (A later version may use it
    /// to warm the context; today the final transcript alone starts the work.)
    /// </summary>
    public async Task AcceptPartialTranscriptAsync(Guid userId, Guid sessionId, string text, CancellationToken cancellationToken)
    {
        if ((text ?? "").Length > Options.MaxTurnLength)
        {
            throw new DomainValidationException("text", $"text may be at most {Options.MaxTurnLength} characters");
        }

        var status = await database.ForUserAsync(userId, db => db.Sessions.Where(s => s.Id == sessionId)
            .Select(s => s.Status).SingleOrDefaultAsync(cancellationToken), cancellationToken)
            ?? throw new DomainNotFoundException("session", sessionId);
        if (status is "completed" or "failed" or "interrupted")
        {
            throw new DomainStateException($"session {sessionId} is {status}; start a new session to keep talking", status);
        }
    }

    /// <summary>
    /// A client went away: a reply nobody listens to any more stops, and what was produced is stored
    /// as interrupted. A reply another connection joined goes on for that connection.
    /// </summary>
    public void ConnectionClosed(string connectionId)
    {
        foreach (var turn in active.HeardBy(connectionId))
        {
            if (turn.Leave(connectionId) == 0)
            {
                turn.Stop(StopReason.Disconnected);
            }
        }
    }

    private async Task RunAsync(ActiveTurn turn, string text)
    {
        var started = time.GetTimestamp();
        var reply = new StringBuilder();
        var chunker = new SentenceChunker();
        var pieces = 0;
        int? firstToken = null;
        int? firstSentence = null;
        string? model = null;
        string? promptVersion = null;
        TaskActor? actor = null;
        long? inputTokens = null;
        long? outputTokens = null;
        var kind = "text";
        TurnCompleted? stored = null;

        async Task PublishAsync(IEnumerable<TextPiece> ready)
        {
            foreach (var piece in ready)
            {
                await turn.PublishAsync(new ReplyChunk(turn.SessionId, turn.TurnId, ++pieces, piece.Text, piece.EndsSentence));
                if (piece.EndsSentence)
                {
                    firstSentence ??= Elapsed(started);
                }
            }
        }

        async Task SpeakFixedAsync(string fixedReply)
        {
            firstToken = Elapsed(started);
            reply.Append(fixedReply);
            await PublishAsync(chunker.Push(fixedReply));
        }

        try
        {
            // The screen (a model call) and the context (database reads) do not depend on each other.
            var screening = tasks.RunStructuredAsync<SafetyScreenResult>(
                CoachTask.SafetyScreen, new Dictionary<string, object?> { ["message"] = text }, turn.Stopping);
            var building = database.ForUserAsync(turn.UserId,
                db => ConversationContext.BuildAsync(db, turn.SessionId, turn.UserSequence, text, Options, turn.Stopping), turn.Stopping);
            await Task.WhenAll(screening, building);
            var (screen, context) = (await screening, await building);
            AddUsage(screen.Usage);

            if (screen.Value.IsCrisis)
            {
                // A fixed, caring reply with resources; no coaching call.
                kind = "safety";
                model = screen.ModelId;
                promptVersion = screen.PromptVersion;
                LogCrisis(logger, turn.SessionId, screen.Value.RiskLevel);
                await SpeakFixedAsync(Options.CrisisReply);
            }
            else if (context.Assessing && context.AnswersSoFar >= Options.AssessmentAnswers)
            {
                var outcome = await FinishOnboardingAsync(turn, context);
                model = outcome.Model;
                promptVersion = outcome.PromptVersion;
                await SpeakFixedAsync(outcome.Closing);
            }
            else
            {
                // Once the assessment is scored, the rest of the session is ordinary coaching.
                var task = context.Assessing ? CoachTask.AssessmentQuestion : CoachTask.CoachReply;
                kind = task == CoachTask.AssessmentQuestion ? "assessment_question" : "text";
                // The coach's reply may act on the user's goals and moods; each action reaches the clients at once.
                actor = task == CoachTask.CoachReply ? new TaskActor(turn.UserId, action => PublishActionAsync(turn, action)) : null;
                var stream = tasks.StartText(task, context.Inputs, context.History, actor, turn.Stopping);
                promptVersion = stream.PromptVersion;
                await foreach (var update in stream.Updates.WithCancellation(turn.Stopping))
                {
                    model ??= update.ModelId;
                    foreach (var usage in update.Contents.OfType<UsageContent>())
                    {
                        inputTokens = (inputTokens ?? 0) + (usage.Details.InputTokenCount ?? 0);
                        outputTokens = (outputTokens ?? 0) + (usage.Details.OutputTokenCount ?? 0);
                    }

                    if (string.IsNullOrEmpty(update.Text))
                    {
                        continue;
                    }

                    firstToken ??= Elapsed(started);
                    reply.Append(update.Text);
                    await PublishAsync(chunker.Push(update.Text));
                }
            }

            await PublishAsync(chunker.Flush());
            stored = await StoreReplyAsync(turn, reply.ToString(), kind, interrupted: false);
        }
        catch (OperationCanceledException) when (turn.StopReason != StopReason.None)
        {
            var kept = turn.StopReason == StopReason.BargeIn && turn.Heard is { } heard
                ? HeardOf(reply.ToString(), heard)
                : reply.ToString().TrimEnd();
            stored = await StoreReplyAsync(turn, kept, kind, interrupted: true, heard: turn.StopReason == StopReason.BargeIn ? kept : null);
        }
        catch (Exception e) when (e is LlmException or LlmOutputInvalidException)
        {
            // Nothing of a failed reply is stored, even pieces already sent: the user's message stays,
            // and sending the turn again (same turn id) produces a whole new reply.
            LogTurnFailed(logger, turn.SessionId, turn.TurnId, e.GetType().Name, e.Message);
            foreach (var listener in turn.Listeners)
            {
                await listener.FailedAsync(new TurnFailed(turn.SessionId, turn.TurnId, FailureReason(e)));
            }
        }
        catch (Exception e)
        {
            LogTurnFailed(logger, turn.SessionId, turn.TurnId, e.GetType().Name, e.Message);
            foreach (var listener in turn.Listeners)
            {
                await listener.FailedAsync(new TurnFailed(turn.SessionId, turn.TurnId, "the reply could not be produced; send the turn again"));
            }
        }
        finally
        {
            active.End(turn);
            turn.Finish(stored);
        }

        if (stored is not null)
        {
            foreach (var listener in turn.Listeners)
            {
                await listener.CompletedAsync(stored);
            }

            background.Run(turn.SessionId, "emotional snapshot", () => ComputeEmotionsAsync(turn, text));
        }

        void AddUsage(LlmUsage usage)
        {
            inputTokens = (inputTokens ?? 0) + usage.InputTokens;
            outputTokens = (outputTokens ?? 0) + usage.OutputTokens;
        }

        async Task<TurnCompleted> StoreReplyAsync(ActiveTurn t, string content, string replyKind, bool interrupted, string? heard = null)
        {
            var figures = new Message
            {
                UserId = t.UserId,
                SessionId = t.SessionId,
                Role = "assistant",
                Kind = replyKind,
                Content = content,
                HeardContent = heard,
                Interrupted = interrupted,
                ClientTurnId = t.TurnId,
                InputTokens = (int?)inputTokens,
                OutputTokens = (int?)outputTokens,
                Model = model,
                PromptVersion = promptVersion,
                Actions = actor?.Actions is { Count: > 0 } actions ? [.. actions] : null,
                TimeToFirstTokenMs = firstToken,
                TimeToFirstSentenceMs = firstSentence,
                TotalMs = Elapsed(started),
                CreatedAt = time.GetUtcNow(),
            };
            // Stored even when the client has gone: what was produced is part of the record.
            return await database.ForUserAsync(t.UserId, async db =>
            {
                figures.SequenceNumber = await db.Messages.Where(m => m.SessionId == t.SessionId)
                    .MaxAsync(m => (int?)m.SequenceNumber) ?? 0;
                figures.SequenceNumber++;
                db.Messages.Add(figures);
                if (replyKind == "safety")
                {
                    var session = await db.Sessions.SingleAsync(s => s.Id == t.SessionId);
                    session.SafetyFlagged = true;
                }

                return ToCompleted(figures);
            }, CancellationToken.None);
        }
    }

    private static async Task PublishActionAsync(ActiveTurn turn, CoachAction action)
    {
        foreach (var listener in turn.Listeners)
        {
            await listener.ActionAsync(new TurnAction(turn.SessionId, turn.TurnId, action));
        }
    }

    private async Task ComputeEmotionsAsync(ActiveTurn turn, string text)
    {
        var result = await tasks.RunStructuredAsync<EmotionalSnapshotResult>(
            CoachTask.EmotionalSnapshot, new Dictionary<string, object?> { ["message"] = text }, CancellationToken.None);
        var stored = await database.ForUserAsync(turn.UserId, async db =>
        {
            var message = await db.Messages.SingleAsync(m => m.SessionId == turn.SessionId && m.ClientTurnId == turn.TurnId && m.Role == "user");
            if (await db.MessageEmotions.AnyAsync(e => e.MessageId == message.Id))
            {
                return false; // a repeated turn: the first computation stands
            }

            foreach (var emotion in result.Value.Emotions)
            {
                db.MessageEmotions.Add(new MessageEmotion
                {
                    UserId = turn.UserId,
                    SessionId = turn.SessionId,
                    MessageId = message.Id,
                    Emotion = emotion.Emotion,
                    Intensity = emotion.Intensity,
                    Color = emotion.Color,
                    Confidence = Math.Round((decimal)emotion.Confidence, 2),
                    PromptVersion = result.PromptVersion,
                    CreatedAt = time.GetUtcNow(),
                });
            }

            return true;
        });

        if (stored)
        {
            foreach (var listener in turn.Listeners)
            {
                await listener.EmotionsAsync(new TurnEmotions(turn.SessionId, turn.TurnId, turn.UserSequence, result.Value.Emotions));
            }
        }
    }

    private sealed record OnboardingOutcome(string Closing, string? Model, string PromptVersion);

    /// <summary>Scores the assessment, stores the profile, focus categories and first goals, and says so.</summary>
    private async Task<OnboardingOutcome> FinishOnboardingAsync(ActiveTurn turn, TurnContext context)
    {
        var transcript = await database.ForUserAsync(turn.UserId, db => TranscriptAsync(db, turn.SessionId, turn.Stopping), turn.Stopping);
        var scoring = await tasks.RunStructuredAsync<PersonalityAssessmentResult>(
            CoachTask.AssessmentScoring, new Dictionary<string, object?> { ["transcript"] = transcript }, turn.Stopping);
        var summary = await tasks.RunStructuredAsync<SessionSummaryResult>(
            CoachTask.SessionSummary, new Dictionary<string, object?> { ["persona"] = context.Persona, ["transcript"] = transcript }, turn.Stopping);
        var goals = await tasks.RunStructuredAsync<GoalSuggestionsResult>(
            CoachTask.GoalSuggestions, new Dictionary<string, object?> { ["transcript"] = transcript, ["active_goals"] = Array.Empty<string>() }, turn.Stopping);

        var profile = scoring.Value;
        var categories = summary.Value.KeyInsights
            .OrderByDescending(i => i.Importance)
            .Select(i => i.Category)
            .Where(DomainValues.EmotionalCategories.Contains)
            .Distinct()
            .Take(3)
            .ToList();
        var name = await database.ForUserAsync(turn.UserId, async db =>
        {
            var now = time.GetUtcNow();
            PersonalityProfiles.Add(db, turn.UserId, profile, transcript, turn.SessionId, scoring.PromptVersion, now);
            var user = await db.Users.SingleAsync();
            user.OnboardingCompleted = true;
            var existing = await db.EmotionalFocusCategories.Select(c => c.Category).ToListAsync();
            var priority = 1;
            foreach (var category in categories.Where(c => !existing.Contains(c)))
            {
                db.EmotionalFocusCategories.Add(new EmotionalFocusCategory { UserId = turn.UserId, Category = category, Priority = priority++, CreatedAt = now });
            }

            foreach (var goal in goals.Value.Goals)
            {
                GoalBook.Add(db, turn.UserId, new NewGoal(goal.Description, goal.SmartGoal, goal.Category, Source: "onboarding", SuggestedBySessionId: turn.SessionId), now);
            }

            return user.Name;
        }, CancellationToken.None);

        var done = new OnboardingCompleted(turn.SessionId, profile.DiscType, profile.EnneagramType, profile.EnneagramWing, profile.Confidence,
            categories, goals.Value.Goals.Select(g => g.Description).ToList());
        foreach (var listener in turn.Listeners)
        {
            await listener.OnboardingCompletedAsync(done);
        }

        var closing = $"Thank you{(string.IsNullOrWhiteSpace(name) ? "" : ", " + name)}. That gives me a first picture of who you are and what matters to you. " +
            (goals.Value.Goals.Count > 0 ? $"I noted a first goal: {goals.Value.Goals[0].Description.TrimEnd('.')}. " : "") +
            "From our next session on, I will coach you with that in mind.";
        return new OnboardingOutcome(closing, scoring.ModelId, scoring.PromptVersion);
    }

    /// <summary>The session's conversation as "coach:"/"user:" lines, for summary and scoring tasks.</summary>
    internal static async Task<string> TranscriptAsync(CoachDbContext db, Guid sessionId, CancellationToken cancellationToken)
    {
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.SessionId == sessionId && m.Role != "system")
            .OrderBy(m => m.SequenceNumber)
            .Select(m => new { m.Role, m.Content })
            .ToListAsync(cancellationToken);
        return string.Join("\n", messages.Select(m => $"{(m.Role == "user" ? "user" : "coach")}: {m.Content}"));
    }

    private sealed record StoredTurn(int UserSequence, string Text, TurnCompleted? Reply);

    private static async Task<StoredTurn> StoreUserMessageAsync(
        CoachDbContext db, Guid sessionId, string turnId, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
            ?? throw new DomainNotFoundException("session", sessionId);
        var earlier = await db.Messages.Where(m => m.SessionId == sessionId && m.ClientTurnId == turnId).ToListAsync(cancellationToken);
        if (earlier.FirstOrDefault(m => m.Role == "user") is { } user)
        {
            if (user.Content != text)
            {
                throw new DomainConflictException("turn_id", $"turn id '{turnId}' was already used for a different message in this session");
            }

            var reply = earlier.FirstOrDefault(m => m.Role == "assistant");
            return new StoredTurn(user.SequenceNumber, user.Content, reply is null ? null : ToCompleted(reply));
        }

        if (session.Status is "completed" or "failed" or "interrupted")
        {
            throw new DomainStateException($"session {sessionId} is {session.Status}; start a new session to keep talking", session.Status);
        }

        var sequence = (await db.Messages.Where(m => m.SessionId == sessionId).MaxAsync(m => (int?)m.SequenceNumber, cancellationToken) ?? 0) + 1;
        db.Messages.Add(new Message
        {
            UserId = session.UserId,
            SessionId = sessionId,
            SequenceNumber = sequence,
            Role = "user",
            Content = text,
            ClientTurnId = turnId,
            CreatedAt = now,
        });
        if (session.Status == "started")
        {
            session.Status = "in_progress";
        }

        return new StoredTurn(sequence, text, null);
    }

    internal static TurnCompleted ToCompleted(Message m) => new(
        m.SessionId, m.ClientTurnId ?? "", m.SequenceNumber, m.Content, m.Kind, m.Interrupted, m.Model,
        m.InputTokens, m.OutputTokens, m.TimeToFirstTokenMs, m.TimeToFirstSentenceMs, m.TotalMs);

    /// <summary>The part of a reply the user heard: a prefix of what was produced, never more.</summary>
    internal static string HeardOf(string produced, HeardPart heard)
    {
        var length = heard.Text is { } text
            ? (produced.StartsWith(text, StringComparison.Ordinal) ? text.Length : Math.Min(text.Length, produced.Length))
            : Math.Min(heard.Characters ?? 0, produced.Length);
        return produced[..length].TrimEnd();
    }

    private static void ValidateTurnId(string turnId)
    {
        if (string.IsNullOrWhiteSpace(turnId) || turnId.Length > 100)
        {
            throw new DomainValidationException("turn_id", "turn_id must be 1 to 100 characters");
        }
    }

    private int Elapsed(long started) => (int)time.GetElapsedTime(started).TotalMilliseconds;

    private static string FailureReason(Exception e) => e switch
    {
        LlmCircuitOpenException => "the coach is unavailable for a moment; send the turn again shortly",
        LlmTimeoutException => "the coach took too long to answer; send the turn again",
        LlmStreamInterruptedException => "the reply was cut off by the language model service; send the turn again",
        LlmOutputInvalidException => "the coach could not produce a valid answer; send the turn again",
        _ => "the language model service failed; send the turn again",
    };

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Session {SessionId}: the safety screen found a crisis (risk {RiskLevel}); sent the crisis reply")]
    private static partial void LogCrisis(ILogger logger, Guid sessionId, string riskLevel);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Session {SessionId} turn {TurnId} failed: {Error}: {Reason}")]
    private static partial void LogTurnFailed(ILogger logger, Guid sessionId, string turnId, string error, string reason);
}
