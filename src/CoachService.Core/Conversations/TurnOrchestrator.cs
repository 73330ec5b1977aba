using System.Text;
using CoachService.Conversations.Preemptive;
using CoachService.Llm;
using CoachService.Llm.Tasks;
using CoachService.Onboarding;
using CoachService.Persistence;
using CoachService.Safety;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Conversations;

/// <summary>
/// Runs a user's turn: stores the message (once per client turn id), screens it for a crisis,
/// builds the context, streams the reply in sentence-marked pieces, stores the reply with its
/// figures, then has the turn's emotions computed off the streaming path. Barge-in and disconnects
/// stop the generation and keep only what was heard or produced. Storage is <see cref="TurnStore"/>'s,
/// the end of onboarding <see cref="OnboardingCompletion"/>'s.
/// </summary>
public sealed partial class TurnOrchestrator(
    CoachDatabase database,
    TurnStore store,
    LlmTaskRunner tasks,
    OnboardingCompletion onboarding,
    EmotionalSnapshots emotions,
    ActiveTurns active,
    LocalCrisisScreen crisisScreen,
    TurnRateLimiter limiter,
    TurnClaims claims,
    TurnCoordinator coordinator,
    BackgroundWork background,
    PreemptiveGeneration preemptive,
    CarriedContexts carried,
    IOptions<CoachingOptions> options,
    TimeProvider time,
    ILogger<TurnOrchestrator> logger)
{
    /// <summary>
    /// A session's new turn is begun under its gate, held through the message's unit of work (some milliseconds).
    /// Sessions share gates by hash: with 64 gates, 45 turns/s and a unit of 15 ms under load, about one turn in a
    /// hundred would wait for another session's unit (an estimate, which is p99's range); 1,024 gates (some 100 KiB)
    /// make that one in some 1,500.
    /// </summary>
    private static readonly SemaphoreSlim[] SessionGates = Enumerable.Range(0, 1024).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    private CoachingOptions Options => options.Value;

    public async Task<TurnAccepted> SendTurnAsync(
        Guid userId, Guid sessionId, string? turnIdArgument, string? textArgument, ITurnListener listener, string? connectionId, CancellationToken cancellationToken)
    {
        var turnId = ValidateTurnId(turnIdArgument);
        var text = (InputText.RefuseNul("text", textArgument) ?? "").Trim();
        if (text.Length == 0)
        {
            throw new DomainValidationException("text", "text must not be empty");
        }

        if (text.Length > Options.MaxTurnLength)
        {
            throw new DomainValidationException("text", $"text may be at most {Options.MaxTurnLength} characters; this turn has {text.Length}");
        }

        // A turn another instance answers may end between our look and our join: then the next look
        // finds its stored reply. Twice is enough; a third look would be a turn started meanwhile.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendTurnOnceAsync(userId, sessionId, turnId, text, listener, cancellationToken);
            }
            catch (TurnClaimedException claimed) when (claimed.Claim.TurnId == turnId)
            {
                // Answered elsewhere (the text matched the stored message before the claim was tried): join it there.
                if (await coordinator.JoinElsewhereAsync(claimed.Claim, listener.Id, cancellationToken))
                {
                    remoteJoins.AddOrUpdate(listener.Id, _ => [claimed.Claim], (_, list) => [.. list, claimed.Claim]);
                    return new TurnAccepted(sessionId, turnId, "streaming", claimed.Claim.UserSequence, null, []);
                }

                if (attempt == 2)
                {
                    throw new DomainStateException("the reply to this turn has just ended elsewhere; send the turn again", "answering");
                }
            }
            catch (TurnClaimedException claimed)
            {
                throw new DomainStateException(
                    $"the reply to turn '{claimed.Claim.TurnId}' is still being generated; interrupt it or wait for it to finish", "answering");
            }
        }
    }

    /// <summary>Connections here that joined turns other instances answer, so the owner hears when they go.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TurnClaim[]> remoteJoins = new();

    private async Task<TurnAccepted> SendTurnOnceAsync(Guid userId, Guid sessionId, string turnId, string text, ITurnListener listener, CancellationToken cancellationToken)
    {
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

                if (running.Text != text)
                {
                    throw new DomainConflictException("turn_id", $"turn id '{turnId}' is being answered for a different message in this session");
                }

                // A repeat of the turn being answered joins it.
                return new TurnAccepted(sessionId, turnId, "streaming", running.UserSequence, null, running.Join(listener));
            }

            // A session whose next context this instance carried sends the reply's model request now, before the
            // database has found and claimed the turn; Begin keeps it only if the context read there is the same prompt.
            var early = StartCarried(userId, sessionId, turnId, text);
            var version = carried.VersionOf(userId);

            // Otherwise the turn begins once it is claimed and its context read, inside the message's unit: the
            // reply's model request may leave while the message is written and committed. Either way nothing of it
            // reaches a client before the commit, and a unit that fails drops it.
            BegunTurn? begun = null;
            StoredTurn stored;
            var permitsLeft = 0.0;
            try
            {
                // One statement claims the turn, spends its permit (a turn answered elsewhere spends nothing) and reads its history.
                stored = await store.StoreUserMessageAsync(userId, sessionId, turnId, text,
                    async (db, sequence) =>
                    {
                        var claimed = await claims.ClaimAndSpendAsync(
                            db, userId, sessionId, turnId, sequence, listener.Id, limiter, cancellationToken, ConversationContext.MaxHistoryMessages);
                        permitsLeft = claimed.PermitsLeft;
                        return claimed.Earlier;
                    },
                    Options, cancellationToken, beforeCommit: claimed => begun = Begin(userId, sessionId, turnId, claimed, early, permitsLeft, version));
            }
            catch
            {
                if (begun?.Reply is { } dropped)
                {
                    await dropped.AbandonAsync();
                }

                if (early is not null)
                {
                    // Sent for a turn that was refused, or whose unit failed: what it cost is counted with the session.
                    await early.Reply.AbandonAsync();
                    preemptive.KeepWaste(userId, sessionId, early.Waste);
                }

                throw;
            }

            if (early is not null && begun?.Reply != early.Reply)
            {
                // The database's context was not the carried one (or the turn had its reply already): the request is dropped.
                await early.Reply.AbandonAsync();
                if (stored.Reply is not null)
                {
                    preemptive.KeepWaste(userId, sessionId, early.Waste);
                }
            }

            if (stored.Reply is not null)
            {
                return new TurnAccepted(sessionId, turnId, "completed", stored.UserSequence, stored.Reply, []);
            }

            preemptive.Paid(userId);
            var preempted = preemptive.TakeFor(sessionId);
            // Begun for every stored turn that still needs a reply (StoreUserMessageAsync's beforeCommit).
            var started = begun!;
            var turn = started.Turn;
            active.TryBegin(turn); // free: checked under the session's gate
            var missed = turn.Join(listener);
            _ = Task.Run(async () =>
            {
                try
                {
                    await RunAsync(started, stored, preempted);
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
    public async Task<TurnInterrupted> InterruptAsync(Guid userId, Guid sessionId, string? turnIdArgument, HeardPart? heardPart, CancellationToken cancellationToken)
    {
        var turnId = ValidateTurnId(turnIdArgument);
        var heard = InputText.Required("heard", heardPart);
        InputText.RefuseNul("heard.text", heard.Text);
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

            if (running.KeptNothing)
            {
                return new TurnInterrupted(sessionId, turnId, null, "");
            }
        }

        else if (await claims.FindAsync(userId, sessionId, cancellationToken) is { } claim && claim.TurnId == turnId)
        {
            // Answered by another instance: it stops the reply and stores the heard part; what it kept is read back.
            // A prefix given as text is heard as its length (TurnStore.HeardOf treats both alike).
            await coordinator.StopElsewhereAsync(claim, StopReason.BargeIn, heard.Characters ?? heard.Text!.Length, cancellationToken);
            if (await store.ReplyOfAsync(userId, sessionId, turnId, cancellationToken) is null)
            {
                return new TurnInterrupted(sessionId, turnId, null, "");
            }
        }

        return await store.CutStoredReplyAsync(userId, sessionId, turnId, heard, cancellationToken);
    }

    /// <summary>
    /// A partial transcript: checked, never stored as a turn. A stable one (unchanged for the quiet time,
    /// or marked <paramref name="stable"/> by the client) may start the reply speculatively
    /// (<see cref="PreemptiveGeneration"/>); the final transcript's <see cref="SendTurnAsync"/> adopts or discards it.
    /// </summary>
    public async Task AcceptPartialTranscriptAsync(Guid userId, Guid sessionId, string? text, bool stable, CancellationToken cancellationToken)
    {
        if ((InputText.RefuseNul("text", text) ?? "").Length > Options.MaxTurnLength)
        {
            throw new DomainValidationException("text", $"text may be at most {Options.MaxTurnLength} characters");
        }

        var status = await database.ForUserAsync(userId, db => db.Sessions.Where(s => s.Id == sessionId)
            .Select(s => (SessionStatus?)s.Status).SingleOrDefaultAsync(cancellationToken), cancellationToken)
            ?? throw new DomainNotFoundException("session", sessionId);
        status.EnsureOpen(sessionId);
        await preemptive.HearAsync(userId, sessionId, text!.Trim(), stable);
    }

    /// <summary>
    /// A client went away: a reply nobody listens to any more stops after the reconnect grace
    /// (<see cref="CoachingOptions.ReconnectGrace"/>), and what was produced is stored as interrupted. A
    /// reply another connection joined, or rejoined in time, goes on.
    /// </summary>
    public void ConnectionClosed(string connectionId)
    {
        if (remoteJoins.TryRemove(connectionId, out var joined))
        {
            foreach (var claim in joined)
            {
                _ = coordinator.LeftAsync(claim, connectionId).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        foreach (var turn in active.HeardBy(connectionId))
        {
            if (turn.Leave(connectionId) == 0)
            {
                _ = StopUnlessRejoinedAsync(turn);
            }
        }
    }

    /// <summary>
    /// Keeps a reply nobody listens to going for the reconnect grace, so a client back on the network can
    /// join it by sending the turn again; only then is it stopped and stored as interrupted.
    /// </summary>
    private async Task StopUnlessRejoinedAsync(ActiveTurn turn)
    {
        if (Options.ReconnectGrace > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Options.ReconnectGrace, time, turn.Stopping);
            }
            catch (OperationCanceledException)
            {
                return; // stopped for another reason meanwhile
            }
        }

        if (turn.ListenerCount == 0)
        {
            turn.Stop(StopReason.Disconnected);
        }
    }

    /// <summary>
    /// A turn begun inside its message's unit of work: the local screen's verdict, the reply whose model
    /// request left before the message was committed (null when the reply starts after the commit), and the
    /// user's permits left after the turn's spend.
    /// </summary>
    private sealed record BegunTurn(ActiveTurn Turn, ReplyDraft Draft, CrisisScreenResult Local, ReplyStart? Reply, double PermitsLeft, long Version);

    /// <summary>
    /// A coaching reply started from the session's carried context (<see cref="CarriedContexts"/>) before the turn's
    /// unit of work, with the turn, draft and prompt it was started for.
    /// </summary>
    private sealed record EarlyTurn(ActiveTurn Turn, ReplyDraft Draft, CrisisScreenResult Local, ReplyStart Reply, IReadOnlyDictionary<string, object?> Inputs, IReadOnlyList<ChatMessage> History)
    {
        /// <summary>What the request cost if it is dropped: its prompt, by estimate (it is stopped before any answer).</summary>
        public SpeculationWaste Waste => new(
            Reply.Stream.Invocation.RenderedPromptLength is { } rendered
                ? (rendered + 3) / 4
                : History.Sum(m => ConversationContext.EstimateTokens(m.Text)) + ConversationContext.EstimateTokens((string)Inputs["message"]!),
            0);
    }

    /// <summary>
    /// Starts the coaching reply of a turn from the session's carried context, when this instance has one and nothing
    /// else comes first (a crisis, the user's partial transcripts); null otherwise.
    /// </summary>
    private EarlyTurn? StartCarried(Guid userId, Guid sessionId, string turnId, string text)
    {
        if (carried.Take(userId, sessionId, turnId) is not { } next || preemptive.IsHearing(sessionId))
        {
            return null;
        }

        var local = crisisScreen.Screen(text);
        if (local.IsCrisis)
        {
            return null;
        }

        var turn = new ActiveTurn(userId, sessionId, turnId, next.LastSequence + 1, text);
        var draft = new ReplyDraft(turn, time);
        var inputs = new Dictionary<string, object?>(next.Inputs) { ["message"] = text };
        try
        {
            // Its tools wait until the turn is claimed (Begin): a request that is dropped acts on nothing.
            var reply = StartReply(turn, CoachTask.CoachReply, inputs, next.History, draft, adopted: null, holdTools: true);
            reply.AskFirst();
            return new EarlyTurn(turn, draft, local, reply, inputs, next.History);
        }
        catch (Exception e)
        {
            LogEarlyStartFailed(logger, sessionId, e.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// Inside the message's unit of work, once the turn is claimed and its context read: screens the message
    /// locally and starts the reply's model request, unless the turn needs something else first (the crisis
    /// reply, the end of onboarding, or a speculation from the user's partial transcripts to adopt). A reply
    /// started early from the carried context is kept when it was started for this prompt.
    /// </summary>
    private BegunTurn Begin(Guid userId, Guid sessionId, string turnId, StoredTurn stored, EarlyTurn? early, double permitsLeft, long version)
    {
        var context = stored.Context!;
        if (early is not null && early.Turn.UserSequence == stored.UserSequence && early.Turn.Text == stored.Text
            && !FinishesOnboarding(context) && TaskOf(context) == CoachTask.CoachReply && SamePrompt(context, early.Inputs, early.History))
        {
            // Its tools were held: they act for a turn that is now claimed.
            early.Draft.Actor?.Release();
            return new BegunTurn(early.Turn, early.Draft, early.Local, early.Reply, permitsLeft, version);
        }

        var turn = new ActiveTurn(userId, sessionId, turnId, stored.UserSequence, stored.Text);
        var draft = new ReplyDraft(turn, time);
        if (early is not null)
        {
            draft.AddWaste(early.Waste);
        }

        // The local screen decides at once and needs no model: crisis help never waits for, or depends on, the provider.
        var local = crisisScreen.Screen(stored.Text);
        if (local.IsCrisis || FinishesOnboarding(context) || preemptive.IsHearing(sessionId))
        {
            return new BegunTurn(turn, draft, local, null, permitsLeft, version);
        }

        try
        {
            var reply = StartReply(turn, TaskOf(context), context.Inputs, context.History, draft, adopted: null);
            // The first read sends the request; its answer waits for the turn to run.
            reply.AskFirst();
            return new BegunTurn(turn, draft, local, reply, permitsLeft, version);
        }
        catch (Exception e)
        {
            // Started again after the commit, where what fails is the turn's failure, told to its listeners.
            LogEarlyStartFailed(logger, sessionId, e.GetType().Name);
            return new BegunTurn(turn, draft, local, null, permitsLeft, version);
        }
    }

    /// <summary>Whether the context read for the turn makes the same prompt as the one a reply was started for.</summary>
    internal static bool SamePrompt(TurnContext context, IReadOnlyDictionary<string, object?> inputs, IReadOnlyList<ChatMessage> history)
    {
        if (context.Inputs.Count != inputs.Count || context.History.Count != history.Count)
        {
            return false;
        }

        foreach (var (name, value) in context.Inputs)
        {
            if (!inputs.TryGetValue(name, out var other) || !SameValue(value, other))
            {
                return false;
            }
        }

        for (var i = 0; i < history.Count; i++)
        {
            if (context.History[i].Role != history[i].Role || context.History[i].Text != history[i].Text)
            {
                return false;
            }
        }

        return true;

        static bool SameValue(object? a, object? b) => (a, b) switch
        {
            (string x, string y) => x == y,
            (IEnumerable<string> x, IEnumerable<string> y) => x.SequenceEqual(y),
            _ => Equals(a, b),
        };
    }

    /// <summary>
    /// Keeps what the session's next turn will most likely be built from, after a coaching reply was stored whole:
    /// this turn's inputs, and its history with the message and the reply added, within the token budget. Not
    /// after a reply that acted on the user's data (their goals changed), was cut, or replaced.
    /// </summary>
    private void CarryForward(ActiveTurn turn, TurnContext context, ReplyDraft draft, TurnCompleted completed, double permitsLeft, long version)
    {
        if (completed.Kind != "text" || completed.Interrupted || context.Assessing || draft.Actor?.Actions is { Count: > 0 })
        {
            carried.Forget(turn.SessionId);
            return;
        }

        var newestFirst = new List<EarlierMessage>(context.History.Count + 2)
        {
            new("assistant", completed.Content),
            new("user", turn.Text),
        };
        for (var i = context.History.Count - 1; i >= 0; i--)
        {
            var m = context.History[i];
            newestFirst.Add(new EarlierMessage(m.Role == ChatRole.User ? "user" : "assistant", m.Text));
        }

        carried.Carry(turn.UserId, turn.SessionId, turn.TurnId, completed.Sequence, context.Inputs,
            ConversationContext.HistoryWithin(newestFirst, Options.HistoryTokenBudget), permitsLeft, version);
    }

    private bool FinishesOnboarding(TurnContext context) => context.Assessing && context.AnswersSoFar >= Options.AssessmentAnswers;

    private async Task RunAsync(BegunTurn begun, StoredTurn stored, PreemptedTurn preempted)
    {
        var (turn, draft, local, early, permitsLeft, version) = begun;
        var text = stored.Text;
        TurnCompleted? completed = null;
        // Told after the turn is over (below), so that a client resending the turn at once gets a new
        // reply instead of joining the one that just failed.
        string? failure = null;
        try
        {
            // A crisis final gets the crisis reply whatever was speculated.
            var context = stored.Context!;
            var adopted = local.IsCrisis || FinishesOnboarding(context) || early is not null ? null : preempted.Adoptable(text, TaskOf(context), stored.UserSequence);
            draft.AddWaste(await preempted.DiscardAllButAsync(adopted));
            if (local.IsCrisis)
            {
                LogCrisis(logger, turn.SessionId, "local", local.RiskLevel);
                draft.Kind = "safety";
                draft.Model = LocalCrisisScreen.ScreenName;
                await draft.AppendAsync(Options.CrisisReply);
                await draft.FlushAsync();
                completed = await store.StoreReplyAsync(turn, draft.ToRecord(draft.Text, interrupted: false, heard: null));
            }
            else
            {
                completed = await ReplyAsync(turn, context, text, draft, adopted, early);
            }
        }
        catch (OperationCanceledException) when (turn.StopReason != StopReason.None)
        {
            var bargeIn = turn.StopReason == StopReason.BargeIn;
            draft.EndOfModelText();
            // Nothing of a reply that read its instructions back is kept, not even the words sent before.
            var kept = draft.Leaked ? "" : bargeIn && turn.Heard is { } heard ? TurnStore.HeardOf(draft.Text, heard) : draft.Text.TrimEnd();
            if (kept.Length == 0)
            {
                // Nothing was heard or produced: no empty message. The user's message stays, and the same
                // turn id can be sent again for a whole new reply.
                turn.KeptNothing = true;
                failure = NothingKept;
            }
            else
            {
                completed = await store.StoreReplyAsync(turn, draft.ToRecord(kept, interrupted: true, heard: bargeIn ? kept : null));
            }
        }
        catch (Exception e) when (e is LlmException or LlmOutputInvalidException or IncompleteModelWorkException)
        {
            // Nothing of a failed reply is stored, even pieces already sent: the user's message stays,
            // and sending the turn again (same turn id) produces a whole new reply.
            LogTurnFailed(logger, turn.SessionId, turn.TurnId, e.GetType().Name, e.Message);
            failure = FailureReason(e);
        }
        catch (Exception e)
        {
            LogTurnFailed(logger, turn.SessionId, turn.TurnId, e.GetType().Name, e.Message);
            failure = "the reply could not be produced; send the turn again";
        }
        finally
        {
            if (completed is null)
            {
                // No reply was stored, so the speculations it threw away are counted with a later one.
                preemptive.KeepWaste(turn.UserId, turn.SessionId, draft.Waste);
            }

            if (early is not null)
            {
                // Read and disposed by the reply, unless the turn failed before it got there.
                await early.AbandonAsync();
            }

            // A stored reply released the claim in its own unit of work; otherwise release it here.
            await ReleaseAsync(turn, storedReply: completed is not null);
            active.End(turn);
            turn.Finish(completed);
        }

        if (failure is not null)
        {
            await FailAsync(turn, failure);
        }

        if (completed is not null)
        {
            CarryForward(turn, stored.Context!, draft, completed, permitsLeft, version);
            foreach (var listener in turn.Listeners)
            {
                await listener.CompletedAsync(completed);
            }

            background.Run(turn.SessionId, "emotional snapshot", async () =>
            {
                if (await emotions.RecordAsync(turn.UserId, turn.SessionId, turn.TurnId, stored.MessageId, turn.UserSequence, text) is { } found)
                {
                    foreach (var listener in turn.Listeners)
                    {
                        await listener.EmotionsAsync(found);
                    }
                }
            });
        }
    }

    private async Task ReleaseAsync(ActiveTurn turn, bool storedReply)
    {
        try
        {
            if (!storedReply)
            {
                await claims.ReleaseAsync(turn);
            }

            if (turn.AwaitedElsewhere)
            {
                await coordinator.AnnounceReleasedAsync(turn.SessionId);
            }
        }
        catch (Exception e)
        {
            // The claim then outlives the turn until this instance's sweep closes it (TurnCoordinator).
            LogReleaseFailed(logger, turn.SessionId, turn.TurnId, e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// A turn the local screen let through: the end of onboarding, an assessment question or a coaching
    /// reply. The coaching reply streams from the first token; the model's safety screen starts as soon as
    /// the reply has begun and runs beside it. If the screen finds a crisis, or the provider's content
    /// filter stops the reply, what was sent is retracted and a fixed reply takes its place.
    /// </summary>
    private async Task<TurnCompleted> ReplyAsync(ActiveTurn turn, TurnContext context, string text, ReplyDraft draft, Speculation? adopted, ReplyStart? early)
    {
        if (FinishesOnboarding(context))
        {
            var outcome = await onboarding.FinishAsync(turn.UserId, turn.SessionId, context.Persona, turn.Stopping);
            foreach (var listener in turn.Listeners)
            {
                await listener.OnboardingCompletedAsync(outcome.Completed);
            }

            draft.Model = outcome.Model;
            draft.PromptVersion = outcome.PromptVersion;
            draft.PromptHash = outcome.PromptHash;
            await draft.AppendAsync(outcome.Closing);
            await draft.FlushAsync();
            return await store.StoreReplyAsync(turn, draft.ToRecord(draft.Text, interrupted: false, heard: null));
        }

        var task = TaskOf(context);
        await using var start = early ?? StartReply(turn, task, context.Inputs, context.History, draft, adopted);
        var replyStop = start.ReplyStop;
        var stream = start.Stream;
        Task<StructuredResult<SafetyScreenResult>?>? screening = null;
        try
        {
            // Text is sent as soon as the stream would wait for more; the updates that had already arrived by
            // then go as one piece (a fast model's whole reply in a read is a few chunks, not one per token),
            // and nothing waits that could go. Unsent text is never part of the draft.
            var unsent = new StringBuilder();
            var streamStop = start.StreamStop;
            await using var updates = start.TakeUpdates();
            while (true)
            {
                var next = start.Next();
                if (!next.IsCompleted && unsent.Length > 0)
                {
                    await draft.AppendAsync(unsent.ToString());
                    unsent.Clear();
                    // One model call before the first word: the screen is asked once the first piece has gone
                    // (starting its request takes a moment the piece need not wait for).
                    screening ??= ScreenBesideAsync(turn, text, replyStop);
                    if (draft.Leaked)
                    {
                        // The model request is cancelled (the screen beside it goes on); the enumerator can
                        // only be disposed once its pending read has ended.
                        await streamStop.CancelAsync();
                        await Ended(next);
                        break;
                    }
                }

                if (!await next)
                {
                    break;
                }

                draft.Note(updates.Current);
                unsent.Append(updates.Current.Text);
                draft.PromptHash ??= stream.RenderedPromptHash;
                if (unsent.Length == 0)
                {
                    // The reply has begun without text (a tool call): the screen need not wait for its words.
                    screening ??= ScreenBesideAsync(turn, text, replyStop);
                }
            }

            if (!draft.Leaked)
            {
                if (unsent.Length > 0)
                {
                    await draft.AppendAsync(unsent.ToString());
                }

                draft.EndOfModelText();
            }
        }
        catch (OperationCanceledException) when (!turn.Stopping.IsCancellationRequested && screening is not null)
        {
            // The screen stopped the reply; its verdict follows.
        }
        catch (LlmProviderException e) when (e.IsContentFilter)
        {
            // The provider refused the prompt itself: the same safe reply as a filtered stream.
            LogFiltered(logger, turn.SessionId, turn.TurnId);
            return await ReplaceAsync(turn, draft, "content_filter", Options.FilteredReply,
                "The provider's content filter refused the prompt (HTTP 400); a fixed reply was sent instead.");
        }

        var screen = await (screening ?? ScreenBesideAsync(turn, text, replyStop));
        if (screen is not null)
        {
            draft.AddUsage(screen.Usage);
        }

        if (screen?.Value.IsCrisis == true)
        {
            LogCrisis(logger, turn.SessionId, "model", screen.Value.RiskLevel);
            // The reply that is kept came from the screen's verdict: the record names that prompt.
            draft.PromptVersion = screen.PromptVersion;
            draft.PromptHash = screen.RenderedPromptHash;
            return await ReplaceAsync(turn, draft, "safety", Options.CrisisReply,
                $"A coaching reply was retracted after {draft.Text.Length} characters: the model safety screen found a crisis (risk {screen.Value.RiskLevel}); the crisis reply replaced it.");
        }

        turn.Stopping.ThrowIfCancellationRequested();
        if (draft.Leaked)
        {
            // The words sent before the first shingle are retracted too; nothing of the reply is stored.
            LogInstructionsLeaked(logger, turn.SessionId, turn.TurnId, task, stream.PromptVersion);
            return await ReplaceAsync(turn, draft, "instructions", Options.FilteredReply,
                $"A reply was retracted after {draft.Text.Length} characters: it read the coach's instructions back; a fixed reply replaced it.");
        }

        if (draft.FinishReason == ChatFinishReason.ContentFilter)
        {
            LogFiltered(logger, turn.SessionId, turn.TurnId);
            return await ReplaceAsync(turn, draft, "content_filter", Options.FilteredReply,
                $"A reply was retracted after {draft.Text.Length} characters: the provider's content filter stopped it; a fixed reply replaced it.");
        }

        if (string.IsNullOrWhiteSpace(draft.Text))
        {
            // A stream that ended cleanly with no words is no reply: nothing is stored, and the same
            // turn id can be sent again.
            throw new LlmOutputInvalidException(task, ["the reply is empty"]);
        }

        await draft.FlushAsync();
        return await store.StoreReplyAsync(turn, draft.ToRecord(draft.Text, interrupted: false, heard: null));
    }

    /// <summary>Starts the reply's model stream (or adopts the speculation's) with the draft told what it runs.</summary>
    private ReplyStart StartReply(
        ActiveTurn turn, string task, IReadOnlyDictionary<string, object?> inputs, IReadOnlyList<ChatMessage> history, ReplyDraft draft, Speculation? adopted, bool holdTools = false)
    {
        draft.Kind = task == CoachTask.AssessmentQuestion ? "assessment_question" : "text";
        var replyStop = CancellationTokenSource.CreateLinkedTokenSource(turn.Stopping);
        try
        {
            TextTaskStream stream;
            if (adopted is not null)
            {
                // The reply started from the stable partial: what it produced goes out at once, the rest as it streams.
                draft.Actor = adopted.Actor;
                stream = adopted.Adopt(action => PublishActionAsync(turn, action));
            }
            else
            {
                // The coach's reply may act on the user's goals and moods; each action reaches the clients at once.
                draft.Actor = task == CoachTask.CoachReply ? new TaskActor(turn.UserId, action => PublishActionAsync(turn, action), holdTools) : null;
                stream = tasks.StartText(task, inputs, history, draft.Actor, replyStop.Token);
            }

            draft.PromptVersion = stream.PromptVersion;
            draft.Watch(stream.Instructions);
            var streamStop = CancellationTokenSource.CreateLinkedTokenSource(replyStop.Token);
            return new ReplyStart(replyStop, stream, streamStop, stream.Updates.GetAsyncEnumerator(streamStop.Token));
        }
        catch
        {
            replyStop.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A reply's model stream and the means to stop it. Its first read may be asked for before the turn runs
    /// (<see cref="AskFirst"/>, which sends the request); disposing it ends the stream and its stops.
    /// </summary>
    private sealed class ReplyStart(
        CancellationTokenSource replyStop, TextTaskStream stream, CancellationTokenSource streamStop, IAsyncEnumerator<ChatResponseUpdate> updates) : IAsyncDisposable
    {
        private ValueTask<bool>? first;
        private bool updatesTaken;
        private int disposed;

        /// <summary>Stops the reply: the stream and the screen beside it.</summary>
        public CancellationTokenSource ReplyStop => replyStop;

        /// <summary>Stops the stream only (the screen goes on).</summary>
        public CancellationTokenSource StreamStop => streamStop;

        public TextTaskStream Stream => stream;

        public void AskFirst() => first = updates.MoveNextAsync();

        /// <summary>The next read: the one already asked for, if any, or a new one.</summary>
        public ValueTask<bool> Next()
        {
            if (first is { } asked)
            {
                first = null;
                return asked;
            }

            return updates.MoveNextAsync();
        }

        /// <summary>The stream's enumerator, for the reader to dispose once it has read.</summary>
        public IAsyncEnumerator<ChatResponseUpdate> TakeUpdates()
        {
            updatesTaken = true;
            return updates;
        }

        /// <summary>Drops a reply that will not run: cancels its request and waits for the read it had asked for.</summary>
        public async ValueTask AbandonAsync()
        {
            if (Volatile.Read(ref disposed) == 1)
            {
                return;
            }

            await replyStop.CancelAsync();
            if (first is { } asked)
            {
                first = null;
                try
                {
                    await asked;
                }
                catch (Exception)
                {
                    // Cancelled, or failed on its way: either way nothing of it is used.
                }
            }

            await DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            if (!updatesTaken)
            {
                await updates.DisposeAsync();
            }

            streamStop.Dispose();
            replyStop.Dispose();
        }
    }

    private static async Task Ended(ValueTask<bool> read)
    {
        try
        {
            await read;
        }
        catch (OperationCanceledException)
        {
            // The stream was stopped on purpose.
        }
    }

    /// <summary>The model's safety screen; a failure of the screen is logged and leaves the local screen's verdict standing.</summary>
    private async Task<StructuredResult<SafetyScreenResult>?> ScreenBesideAsync(ActiveTurn turn, string text, CancellationTokenSource replyStop)
    {
        try
        {
            var screen = await tasks.RunStructuredAsync<SafetyScreenResult>(
                CoachTask.SafetyScreen, new Dictionary<string, object?> { ["message"] = text }, turn.Stopping);
            if (screen.Value.IsCrisis)
            {
                await replyStop.CancelAsync();
            }

            return screen;
        }
        catch (Exception e) when (e is LlmException or LlmOutputInvalidException)
        {
            LogScreenFailed(logger, turn.SessionId, e.GetType().Name);
            return null;
        }
    }

    /// <summary>Tells the listeners to drop what they have of the reply, then sends and stores a fixed one instead.</summary>
    private async Task<TurnCompleted> ReplaceAsync(ActiveTurn turn, ReplyDraft draft, string reason, string fixedReply, string note)
    {
        turn.ForgetChunks();
        foreach (var listener in turn.Listeners)
        {
            await listener.RetractedAsync(new ReplyRetracted(turn.SessionId, turn.TurnId, reason));
        }

        draft.Restart();
        draft.Kind = "safety";
        await draft.AppendAsync(fixedReply);
        await draft.FlushAsync();
        return await store.StoreReplyAsync(turn, draft.ToRecord(draft.Text, interrupted: false, heard: null) with { RetractionNote = note });
    }

    /// <summary>The text task that answers a turn with this context (once the assessment is scored, the rest is coaching).</summary>
    private static string TaskOf(TurnContext context) => context.Assessing ? CoachTask.AssessmentQuestion : CoachTask.CoachReply;

    private static async Task PublishActionAsync(ActiveTurn turn, CoachAction action)
    {
        foreach (var listener in turn.Listeners)
        {
            await listener.ActionAsync(new TurnAction(turn.SessionId, turn.TurnId, action));
        }
    }

    /// <summary>The <see cref="TurnFailed.Reason"/> of a reply stopped before any of it was heard.</summary>
    public const string NothingKept = "the reply was interrupted before any of it was heard; nothing was kept";

    private static async Task FailAsync(ActiveTurn turn, string reason)
    {
        foreach (var listener in turn.Listeners)
        {
            await listener.FailedAsync(new TurnFailed(turn.SessionId, turn.TurnId, reason));
        }
    }

    private static string ValidateTurnId(string? turnId)
    {
        InputText.RefuseNul("turn_id", turnId);
        if (string.IsNullOrWhiteSpace(turnId) || turnId.Length > 100)
        {
            throw new DomainValidationException("turn_id", "turn_id must be 1 to 100 characters");
        }

        return turnId;
    }

    private static string FailureReason(Exception e) => e switch
    {
        IncompleteModelWorkException incomplete => incomplete.Message,
        LlmUnavailableException => "the coach is unavailable for a moment; send the turn again shortly",
        LlmTimeoutException => "the coach took too long to answer; send the turn again",
        LlmStreamInterruptedException => "the reply was cut off by the language model service; send the turn again",
        LlmOutputInvalidException => "the coach could not produce a valid answer; send the turn again",
        _ => "the language model service failed; send the turn again",
    };

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Session {SessionId}: the {Screen} safety screen found a crisis (risk {RiskLevel}); sent the crisis reply")]
    private static partial void LogCrisis(ILogger logger, Guid sessionId, string screen, string riskLevel);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Session {SessionId}: the model safety screen failed ({Error}); the local screen's verdict stands")]
    private static partial void LogScreenFailed(ILogger logger, Guid sessionId, string error);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Session {SessionId} turn {TurnId}: the provider's content filter stopped the reply; a fixed reply replaced it")]
    private static partial void LogFiltered(ILogger logger, Guid sessionId, string turnId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Session {SessionId} turn {TurnId}: releasing its claim failed: {Error}: {Reason}")]
    private static partial void LogReleaseFailed(ILogger logger, Guid sessionId, string turnId, string error, string reason);

    [LoggerMessage(EventId = 2060, Level = LogLevel.Warning, Message = "Session {SessionId} turn {TurnId}: the {Task} reply read its instructions back (prompt {PromptVersion}); stopped, retracted and replaced by a fixed reply")]
    private static partial void LogInstructionsLeaked(ILogger logger, Guid sessionId, string turnId, string task, string promptVersion);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Session {SessionId}: the reply's request could not leave before the commit ({Error}); it starts after it")]
    private static partial void LogEarlyStartFailed(ILogger logger, Guid sessionId, string error);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Session {SessionId} turn {TurnId} failed: {Error}: {Reason}")]
    private static partial void LogTurnFailed(ILogger logger, Guid sessionId, string turnId, string error, string reason);
}
