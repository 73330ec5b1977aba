using System.Collections.Concurrent;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Safety;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Conversations.Preemptive;

/// <summary>What a final transcript finds: the speculation it may adopt, and the ones already thrown away.</summary>
public sealed class PreemptedTurn(Speculation? current, IReadOnlyList<Speculation> discarded, SpeculationWaste earlierWaste)
{
    public static readonly PreemptedTurn None = new(null, [], SpeculationWaste.None);

    /// <summary>
    /// The speculation the turn adopts: the latest one, if it is for the same words, still usable, runs the
    /// same task and was built for the same place in the conversation. Every other one is discarded.
    /// </summary>
    public Speculation? Adoptable(string finalText, string task, int userSequence) =>
        current is { IsUsable: true } s && s.Key == SpokenText.Key(finalText) && s.TaskName == task && s.UserSequence == userSequence ? s : null;

    /// <summary>Discards every speculation but <paramref name="adopted"/> and returns what they all cost.</summary>
    public async Task<SpeculationWaste> DiscardAllButAsync(Speculation? adopted)
    {
        var waste = earlierWaste;
        foreach (var speculation in discarded.Append(current).OfType<Speculation>().Where(s => s != adopted))
        {
            waste = waste.Add(await speculation.DiscardAsync());
        }

        return waste;
    }
}

/// <summary>
/// Preemptive generation from partial transcripts. A partial that stays unchanged for the quiet time, or
/// that the client marks stable, starts the reply it would get as a final transcript, after the local
/// crisis screen and within the limits (<see cref="PreemptiveOptions"/>); a changed partial discards it.
/// The final transcript's turn takes what is there (<see cref="TakeFor"/>) and adopts or discards it.
/// State lives per session while the user speaks, and per user for the count of speculations since the
/// user's last paid turn, so a client that never sends a final gets no more than the per-turn limit.
/// </summary>
public sealed partial class PreemptiveGeneration(
    CoachDatabase database,
    LlmTaskRunner tasks,
    ActiveTurns active,
    LocalCrisisScreen crisisScreen,
    TurnRateLimiter limiter,
    IOptions<PreemptiveOptions> options,
    IOptions<CoachingOptions> coaching,
    TimeProvider time,
    ILogger<PreemptiveGeneration> logger)
{
    private readonly ConcurrentDictionary<Guid, Speech> bySession = new();
    private readonly ConcurrentDictionary<Guid, int> unpaidByUser = new();

    private PreemptiveOptions Options => options.Value;

    /// <summary>A partial transcript of the session's user, already checked; may start, or discard, a speculation.</summary>
    public async Task HearAsync(Guid userId, Guid sessionId, string text, bool stable)
    {
        var key = SpokenText.Key(text);
        if (!Options.Enabled)
        {
            if (stable)
            {
                LogNotSpeculating(logger, sessionId, "off");
            }

            return;
        }

        if (key.Length == 0)
        {
            return;
        }

        var speech = bySession.GetOrAdd(sessionId, _ => new Speech(userId));
        if (speech.UserId != userId)
        {
            return;
        }

        CancellationToken quiet;
        lock (speech)
        {
            speech.StartedAt ??= time.GetTimestamp();
            if (key == speech.LastKey)
            {
                // The same words again: only a stable mark can start a speculation now (the quiet time runs on).
                if (!stable)
                {
                    return;
                }

                quiet = CancellationToken.None;
            }
            else
            {
                speech.LastKey = key;
                speech.Quiet?.Cancel();
                speech.Quiet = new CancellationTokenSource();
                quiet = speech.Quiet.Token;
                if (speech.Current is { } stale && stale.Key != key)
                {
                    // The user said more (or something else): that reply will not be adopted.
                    speech.Current = null;
                    speech.Discarded.Add(stale);
                    _ = stale.DiscardAsync();
                }
            }
        }

        if (stable)
        {
            await TryStartAsync(speech, userId, sessionId, key, text);
        }
        else
        {
            _ = StartWhenQuietAsync(speech, userId, sessionId, key, text, quiet);
        }
    }

    /// <summary>
    /// The final transcript's turn will be answered now: hands over the session's speculations and forgets
    /// the utterance, so the next partial begins a new one.
    /// </summary>
    public PreemptedTurn TakeFor(Guid sessionId)
    {
        if (!bySession.TryRemove(sessionId, out var speech))
        {
            return PreemptedTurn.None;
        }

        lock (speech)
        {
            speech.Quiet?.Cancel();
            speech.Closed = true;
            return new PreemptedTurn(speech.Current, [.. speech.Discarded], speech.PendingWaste);
        }
    }

    /// <summary>The session's user is being heard (partial transcripts since the last turn): its turn may find a speculation.</summary>
    public bool IsHearing(Guid sessionId) => bySession.ContainsKey(sessionId);

    /// <summary>The user spent a permit on a turn: they may speculate again, up to the per-turn limit.</summary>
    public void Paid(Guid userId) => unpaidByUser.TryRemove(userId, out _);

    /// <summary>Waste a turn could not store (it failed): kept for the session's next reply or its end.</summary>
    public void KeepWaste(Guid userId, Guid sessionId, SpeculationWaste waste)
    {
        if (waste.IsNone)
        {
            return;
        }

        var speech = bySession.GetOrAdd(sessionId, _ => new Speech(userId));
        lock (speech)
        {
            speech.PendingWaste = speech.PendingWaste.Add(waste);
        }
    }

    /// <summary>The session ends: its speculations are discarded, and what they and failed turns cost is returned.</summary>
    public Task<SpeculationWaste> EndSessionAsync(Guid sessionId) => TakeFor(sessionId).DiscardAllButAsync(null);

    private async Task StartWhenQuietAsync(Speech speech, Guid userId, Guid sessionId, string key, string text, CancellationToken quiet)
    {
        try
        {
            await Task.Delay(Options.QuietTime, time, quiet);
        }
        catch (OperationCanceledException)
        {
            return; // a newer partial came first
        }

        await TryStartAsync(speech, userId, sessionId, key, text);
    }

    private async Task TryStartAsync(Speech speech, Guid userId, Guid sessionId, string key, string text)
    {
        try
        {
            if (RefusalOf(speech, userId, sessionId, key, text) is { } refusal)
            {
                if (refusal.Length > 0)
                {
                    LogNotSpeculating(logger, sessionId, refusal);
                }

                return;
            }

            var plan = await database.ForUserAsync(userId, db => PlanAsync(db, userId, sessionId, text), CancellationToken.None);
            if (plan.Refusal is { } planRefusal)
            {
                LogNotSpeculating(logger, sessionId, planRefusal);
                return;
            }

            Speculation speculation;
            int number;
            lock (speech)
            {
                // Re-checked: a newer partial, the final or another start may have come while the context was read.
                if (speech.Closed || speech.LastKey != key || speech.Current?.Key == key)
                {
                    return;
                }

                number = unpaidByUser.AddOrUpdate(userId, 1, (_, n) => n + 1);
                if (number > Options.MaxSpeculationsPerTurn)
                {
                    LogNotSpeculating(logger, sessionId, "limit");
                    return;
                }

                speculation = new Speculation(userId, key, text, plan.Task!, plan.UserSequence);
                speculation.Start(
                    tasks.StartText(plan.Task!, plan.Context!.Inputs, plan.Context.History, speculation.Actor, speculation.Stopping),
                    Options.MaxTokensPerSpeculation);
                speech.Current = speculation;
            }

            LogSpeculating(logger, sessionId, number);
            _ = LogWhenEndedAsync(sessionId, number, speculation);
        }
        catch (Exception e)
        {
            // The final transcript meets the same problem and reports it; a speculation just does not start.
            LogStartFailed(logger, sessionId, e.GetType().Name);
        }
    }

    private async Task LogWhenEndedAsync(Guid sessionId, int number, Speculation speculation) =>
        LogEnded(logger, sessionId, number, await speculation.Ended);

    /// <summary>Why no speculation starts for these words now ("" when it is simply not needed), or null.</summary>
    private string? RefusalOf(Speech speech, Guid userId, Guid sessionId, string key, string text)
    {
        lock (speech)
        {
            if (speech.Closed || speech.LastKey != key || speech.Current?.Key == key)
            {
                return "";
            }

            if (speech.StartedAt is { } started && time.GetElapsedTime(started) > Options.MaxSpeechLength)
            {
                return "speech_too_long";
            }
        }

        if (active.Find(sessionId) is not null)
        {
            return "answering";
        }

        // Safety first: a crisis gets the fixed reply from the final transcript, never a generated one.
        if (crisisScreen.Screen(text).IsCrisis)
        {
            return "crisis";
        }

        if (unpaidByUser.GetValueOrDefault(userId) >= Options.MaxSpeculationsPerTurn)
        {
            return "limit";
        }

        return null;
    }

    /// <summary>The context the final transcript would get, read (never written) in one unit of work.</summary>
    private async Task<Plan> PlanAsync(CoachDbContext db, Guid userId, Guid sessionId, string text)
    {
        // The user's bucket is shared by every instance: a speculation starts only while it has a permit
        // (checking spends nothing), and never while a turn of the session is claimed by any instance.
        if (!await limiter.HasPermitAsync(db, userId, CancellationToken.None))
        {
            return new Plan("rate_limited");
        }

        if (await db.TurnClaims.AnyAsync(c => c.SessionId == sessionId))
        {
            return new Plan("answering");
        }

        // One statement, as a turn's own: the session, its last sequence number and the user's side of the context.
        var found = await ConversationContext.FindTurnAsync(db, sessionId, turnId: "", coaching.Value.RecentInsightSessions, CancellationToken.None);
        var session = found?.Session ?? throw new DomainNotFoundException("session", sessionId);
        if (!session.Status.IsOpen())
        {
            return new Plan("session_closed");
        }

        if (Options.DisabledSessionTypes.Contains(session.SessionType))
        {
            return new Plan("session_type");
        }

        var sequence = (found.LastSequence ?? 0) + 1;
        var context = await ConversationContext.BuildAsync(db, session, found.About, sequence, text, coaching.Value, CancellationToken.None);
        if (context.Assessing && context.AnswersSoFar >= coaching.Value.AssessmentAnswers)
        {
            // The last answer finishes onboarding, which stores the profile: only a real turn does that.
            return new Plan("onboarding_end");
        }

        return new Plan(null, context.Assessing ? CoachTask.AssessmentQuestion : CoachTask.CoachReply, sequence, context);
    }

    private sealed record Plan(string? Refusal, string? Task = null, int UserSequence = 0, TurnContext? Context = null);

    /// <summary>One utterance of a session: from its first partial until its final transcript is taken.</summary>
    private sealed class Speech(Guid userId)
    {
        public Guid UserId { get; } = userId;

        /// <summary>When its first partial arrived (a state made only to keep a failed turn's waste has none yet).</summary>
        public long? StartedAt { get; set; }

        public string? LastKey { get; set; }

        public CancellationTokenSource? Quiet { get; set; }

        public Speculation? Current { get; set; }

        public List<Speculation> Discarded { get; } = [];

        public SpeculationWaste PendingWaste { get; set; } = SpeculationWaste.None;

        /// <summary>Taken by a final transcript: nothing more starts in it.</summary>
        public bool Closed { get; set; }
    }

    [LoggerMessage(EventId = 2150, Level = LogLevel.Debug, Message = "Session {SessionId}: speculation {Number} since the user's last turn started from a stable partial transcript")]
    private static partial void LogSpeculating(ILogger logger, Guid sessionId, int number);

    [LoggerMessage(EventId = 2153, Level = LogLevel.Debug, Message = "Session {SessionId}: speculation {Number}'s model stream ended: {Outcome}")]
    private static partial void LogEnded(ILogger logger, Guid sessionId, int number, string outcome);

    [LoggerMessage(EventId = 2152, Level = LogLevel.Warning, Message = "Session {SessionId}: a speculation could not start ({Error}); the final transcript starts the reply")]
    private static partial void LogStartFailed(ILogger logger, Guid sessionId, string error);

    [LoggerMessage(EventId = 2151, Level = LogLevel.Debug, Message = "Session {SessionId}: no speculation for a stable partial transcript ({Reason})")]
    private static partial void LogNotSpeculating(ILogger logger, Guid sessionId, string reason);
}
