using Polly;
using Polly.Retry;
using CoachService.Persistence;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Conversations;

/// <summary>The stored user message of a turn, and its reply if it already has one, or else what its reply is built from.</summary>
public sealed record StoredTurn(int UserSequence, string Text, TurnCompleted? Reply, Guid MessageId, TurnContext? Context);

/// <summary>What a finished (or cut) reply is stored with.</summary>
public sealed record ReplyRecord(
    string Content,
    string Kind,
    bool Interrupted,
    string? HeardContent,
    string? Model,
    string? PromptVersion,
    int? InputTokens,
    int? OutputTokens,
    int? TimeToFirstTokenMs,
    int? TimeToFirstSentenceMs,
    int? TotalMs,
    IReadOnlyList<CoachAction>? Actions = null,
    bool CutOff = false,
    string? RetractionNote = null,
    string? PromptHash = null,
    int? WastedInputTokens = null,
    int? WastedOutputTokens = null);

/// <summary>
/// The database side of a turn: the user message (once per client turn id), the reply, and a
/// barge-in cut of a reply already stored. Each call is one unit of work for one user.
/// </summary>
public sealed class TurnStore(CoachDatabase database, TurnClaims claims, TimeProvider time)
{
    /// <summary>
    /// A reply that was streamed has been seen by the user: storing it is retried through a database
    /// restart or a dropped connection (about a minute and a half in all), instead of being lost.
    /// </summary>
    private readonly ResiliencePipeline replyStorage = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(DatabaseErrors.IsUnavailable),
            MaxRetryAttempts = 12,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(10),
            UseJitter = true,
        })
        .Build();

    /// <summary>
    /// Stores the user's message, or finds the earlier one of a repeated turn (and its reply). <paramref name="admit"/>
    /// runs, inside the unit of work and given the user message's sequence number, only when the turn still
    /// needs a reply (it claims the turn and spends the rate limit); if it throws, nothing is stored. It may return
    /// the messages before the user's, read in its own statement (see <see cref="ConversationContext.BuildAsync(CoachDbContext, CoachingSession, AboutUser, int, string, CoachingOptions, CancellationToken, IReadOnlyList{EarlierMessage}?)"/>);
    /// null has the history read after it.
    /// </summary>
    /// <exception cref="DomainConflictException">The turn id was used for a different text.</exception>
    /// <remarks>
    /// The turn's context is read in the same unit of work, so a turn costs one transaction before the model
    /// is called. <paramref name="beforeCommit"/>, when given, gets the turn as soon as its context is read,
    /// inside the unit, before the message is written and committed: the reply's model request can leave
    /// while they are (the caller must drop what it started if this call then throws).
    /// </remarks>
    public Task<StoredTurn> StoreUserMessageAsync(
        Guid userId, Guid sessionId, string turnId, string text, Func<CoachDbContext, int, Task<IReadOnlyList<EarlierMessage>?>> admit, CoachingOptions options, CancellationToken cancellationToken,
        Action<StoredTurn>? beforeCommit = null) =>
        database.ForUserAsync(userId, async db =>
        {
            // One statement: the session, the turn id's earlier messages, the session's last sequence number, and the
            // user's side of the context (read before the claim, so a turn refused there read it for nothing; it is small).
            var found = await ConversationContext.FindTurnAsync(db, sessionId, turnId, options.RecentInsightSessions, cancellationToken);
            var session = found?.Session ?? throw new DomainNotFoundException("session", sessionId);
            var earlier = found.Earlier;
            if (earlier.FirstOrDefault(m => m.Role == "user") is { } user)
            {
                if (user.Content != text)
                {
                    throw new DomainConflictException("turn_id", $"turn id '{turnId}' was already used for a different message in this session");
                }

                var reply = earlier.FirstOrDefault(m => m.Role == "assistant");
                if (reply is not null)
                {
                    return new StoredTurn(user.SequenceNumber, user.Content, ToCompleted(reply), user.Id, null);
                }

                // A turn whose reply failed or was never made: it is answered now, if the session still takes turns.
                session.EnsureOpen();
                var before = await admit(db, user.SequenceNumber);
                var again = new StoredTurn(user.SequenceNumber, user.Content, null, user.Id,
                    await ConversationContext.BuildAsync(db, session, found.About, user.SequenceNumber, user.Content, options, cancellationToken, before));
                beforeCommit?.Invoke(again);
                return again;
            }

            session.EnsureOpen();
            var sequence = (found.LastSequence ?? 0) + 1;
            var earlierMessages = await admit(db, sequence);
            session.UserTurnTaken();
            var now = time.GetUtcNow();
            var id = Guid.CreateVersion7(now);
            var context = await ConversationContext.BuildAsync(db, session, found.About, sequence, text, options, cancellationToken, earlierMessages);
            db.Messages.Add(new Message
            {
                Id = id,
                UserId = session.UserId,
                SessionId = sessionId,
                SequenceNumber = sequence,
                Role = "user",
                Content = text,
                ClientTurnId = turnId,
                CreatedAt = now,
            });
            var stored = new StoredTurn(sequence, text, null, id, context);
            beforeCommit?.Invoke(stored);
            return stored;
        }, cancellationToken);

    /// <summary>
    /// Stores the reply of a turn. Stored even when the client has gone: what was produced is part of
    /// the record. A safety reply flags the session. The same unit of work deletes the turn's claim.
    /// </summary>
    /// <exception cref="TurnLostException">The claim was gone (closed elsewhere): nothing is stored.</exception>
    public Task<TurnCompleted> StoreReplyAsync(ActiveTurn turn, ReplyRecord reply) =>
        replyStorage.ExecuteAsync(async _ => await StoreReplyOnceAsync(turn, reply), CancellationToken.None).AsTask();

    private Task<TurnCompleted> StoreReplyOnceAsync(ActiveTurn turn, ReplyRecord reply) =>
        database.ForUserAsync(turn.UserId, async db =>
        {
            if (!await claims.ReleaseAsync(db, turn))
            {
                throw new TurnLostException(turn.SessionId, turn.TurnId);
            }

            var message = new Message
            {
                UserId = turn.UserId,
                SessionId = turn.SessionId,
                SequenceNumber = await NextSequenceAsync(db, turn.SessionId, CancellationToken.None),
                Role = "assistant",
                Kind = reply.Kind,
                Content = reply.Content,
                HeardContent = reply.HeardContent,
                Interrupted = reply.Interrupted,
                CutOff = reply.CutOff,
                ClientTurnId = turn.TurnId,
                InputTokens = reply.InputTokens,
                OutputTokens = reply.OutputTokens,
                WastedInputTokens = reply.WastedInputTokens,
                WastedOutputTokens = reply.WastedOutputTokens,
                Model = reply.Model,
                PromptVersion = reply.PromptVersion,
                PromptHash = reply.PromptHash,
                Actions = reply.Actions is null ? null : [.. reply.Actions],
                TimeToFirstTokenMs = reply.TimeToFirstTokenMs,
                TimeToFirstSentenceMs = reply.TimeToFirstSentenceMs,
                TotalMs = reply.TotalMs,
                CreatedAt = time.GetUtcNow(),
            };
            if (reply.RetractionNote is { } note)
            {
                // The record of what happened: a reply was sent in part and withdrawn. System messages are
                // never part of the model's history.
                db.Messages.Add(new Message
                {
                    UserId = turn.UserId, SessionId = turn.SessionId, SequenceNumber = message.SequenceNumber, Role = "system",
                    Kind = "safety", Content = note, ClientTurnId = turn.TurnId, CreatedAt = message.CreatedAt,
                });
                message.SequenceNumber++;
            }

            db.Messages.Add(message);
            if (reply.Kind == "safety")
            {
                var session = await db.Sessions.SingleAsync(s => s.Id == turn.SessionId);
                session.SafetyFlagged = true;
            }

            return ToCompleted(message);
        }, CancellationToken.None);

    /// <summary>Barge-in after generation: cuts the stored reply of the session's latest turn to what was heard.</summary>
    public Task<TurnInterrupted> CutStoredReplyAsync(Guid userId, Guid sessionId, string turnId, HeardPart heard, CancellationToken cancellationToken) =>
        database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken)
                ?? throw new DomainNotFoundException("session", sessionId);
            session.EnsureMessagesCanChange();

            var reply = await db.Messages.SingleOrDefaultAsync(
                    m => m.SessionId == sessionId && m.ClientTurnId == turnId && m.Role == "assistant", cancellationToken)
                ?? throw new DomainNotFoundException("reply to turn", turnId);
            var latest = await db.Messages.Where(m => m.SessionId == sessionId).MaxAsync(m => m.SequenceNumber, cancellationToken);
            if (reply.SequenceNumber != latest)
            {
                throw new DomainStateException($"only the latest reply can be interrupted; turn '{turnId}' was followed by others", "superseded");
            }

            var heardText = HeardOf(reply.Content, heard);
            if (heardText.Length == 0)
            {
                // Nothing was heard: no empty message stays; the turn can be sent again.
                db.Messages.Remove(reply);
                return new TurnInterrupted(sessionId, turnId, null, "");
            }

            if (heardText.Length < reply.Content.Length)
            {
                reply.Content = heardText;
                reply.HeardContent = heardText;
                reply.Interrupted = true;
            }

            return new TurnInterrupted(sessionId, turnId, reply.SequenceNumber, reply.Content);
        }, cancellationToken);

    /// <summary>The stored reply of a turn, if it has one.</summary>
    public Task<TurnCompleted?> ReplyOfAsync(Guid userId, Guid sessionId, string turnId, CancellationToken cancellationToken) =>
        database.ForUserAsync(userId, async db =>
            await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.SessionId == sessionId && m.ClientTurnId == turnId && m.Role == "assistant", cancellationToken)
                is { } reply ? ToCompleted(reply) : null, cancellationToken);

    /// <summary>The part of a reply the user heard: a prefix of what was produced, never more.</summary>
    internal static string HeardOf(string produced, HeardPart heard)
    {
        var length = heard.Text is { } text
            ? (produced.StartsWith(text, StringComparison.Ordinal) ? text.Length : Math.Min(text.Length, produced.Length))
            : Math.Min(heard.Characters ?? 0, produced.Length);
        return produced[..length].TrimEnd();
    }

    internal static TurnCompleted ToCompleted(Message m) => new(
        m.SessionId, m.ClientTurnId ?? "", m.SequenceNumber, m.Content, m.Kind, m.Interrupted, m.Model,
        m.InputTokens, m.OutputTokens, m.TimeToFirstTokenMs, m.TimeToFirstSentenceMs, m.TotalMs, m.CutOff,
        m.WastedInputTokens, m.WastedOutputTokens);

    private static async Task<int> NextSequenceAsync(CoachDbContext db, Guid sessionId, CancellationToken cancellationToken) =>
        (await db.Messages.Where(m => m.SessionId == sessionId).MaxAsync(m => (int?)m.SequenceNumber, cancellationToken) ?? 0) + 1;
}
