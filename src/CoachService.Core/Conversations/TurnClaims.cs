using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using CoachService.Persistence;
using CoachService.Privacy.Encryption;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Conversations;

/// <summary>A turn of the session is being answered already, maybe by another instance.</summary>
public sealed class TurnClaimedException(TurnClaim claim)
    : Exception($"session {claim.SessionId} is answering turn '{claim.TurnId}'")
{
    public TurnClaim Claim { get; } = claim;
}

/// <summary>A claim won and its permit spent: the messages before the turn's (newest first), and the user's permits left.</summary>
public sealed record ClaimedTurn(IReadOnlyList<EarlierMessage> Earlier, double PermitsLeft);

/// <summary>The turn's claim was gone when its reply was to be stored: it was closed elsewhere.</summary>
public sealed class TurnLostException(Guid sessionId, string turnId)
    : Exception($"session {sessionId} turn '{turnId}' was closed elsewhere (the session was ended, or this instance was taken for dead)");

/// <summary>
/// The <see cref="TurnClaim"/> rows: who answers which session's turn, across every instance on the
/// database. This instance claims with <see cref="InstanceKey"/>, the key of the advisory lock its
/// <see cref="TurnCoordinator"/> holds for as long as it lives (see docs/decisions/scale-out.md).
/// </summary>
public sealed class TurnClaims(CoachDatabase database, TimeProvider time)
{
    /// <summary>This instance's key: positive, random, and new at every start.</summary>
    public long InstanceKey { get; } = (long)(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 2) + 1;

    /// <summary>
    /// Claims the session's turn and spends one of the user's permits (<see cref="TurnRateLimiter"/>) inside the unit
    /// of work storing its user message, in one statement: the permit is spent only when the claim is won, so a
    /// turn answered elsewhere spends nothing. The same statement reads, when the claim is won, the session's
    /// messages before the turn's (no system message), newest first, at most <paramref name="historyLimit"/>
    /// of them: the turn's history costs no round trip of its own.
    /// </summary>
    /// <returns>The messages before the turn's, newest first (none when <paramref name="historyLimit"/> is 0), and the permits left.</returns>
    /// <exception cref="TurnClaimedException">The session's turn is claimed already (committed by another transaction).</exception>
    /// <exception cref="DomainRateLimitedException">The claim was won but the bucket is empty; the unit rolls back, claim and all.</exception>
    public async Task<ClaimedTurn> ClaimAndSpendAsync(CoachDbContext db, Guid userId, Guid sessionId, string turnId, int userSequence, string listener,
        TurnRateLimiter limiter, CancellationToken cancellationToken, int historyLimit = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(historyLimit);
        var now = time.GetUtcNow();
        var (burst, perSecond) = limiter.Rates;
        // ON CONFLICT waits for a concurrent claim to commit or roll back, so two instances can never both win.
        // The outcome: null when the claim was lost, -1 when it was won and the bucket was empty, else the permits left;
        // one row a message of the history when the claim was won and the permit spent (the row's outcome repeated),
        // else one row. Every part of one statement sees the same snapshot: the history is what was committed before
        // the claim, and the turn's own message is not written yet. Row level security applies as to any query; the
        // user is named too, as the query filters would.
        // Not composed (no Single in SQL): a WITH clause with data-modifying statements must stay at the top level.
        var rows = await db.Database.SqlQuery<ClaimRow>(FormattableStringFactory.Create($$"""
            WITH claim AS (
                INSERT INTO turn_claims (session_id, user_id, turn_id, user_sequence, owner_key, listeners, claimed_at)
                VALUES ({4}, {0}, {5}, {6}, {7}, {8}, {1})
                ON CONFLICT (session_id) DO NOTHING
                RETURNING 1
            ), spent AS (
            {{TurnRateLimiter.SpendSql("claim")}}
            ), outcome AS (
                SELECT CASE WHEN EXISTS (SELECT 1 FROM claim) THEN coalesce((SELECT tokens FROM spent), -1) END AS value
            )
            SELECT o.value AS "Outcome", h.role AS "Role", h.content AS "Content"
            FROM outcome o
            LEFT JOIN LATERAL (
                SELECT m.sequence_number, m.role, m.content FROM messages m
                WHERE o.value >= 0 AND m.session_id = {4} AND m.user_id = {0} AND m.sequence_number < {6} AND m.role <> 'system'
                ORDER BY m.sequence_number DESC
                LIMIT {9}
            ) h ON true
            ORDER BY h.sequence_number DESC
            """, userId, now, burst, perSecond, sessionId, turnId, userSequence, InstanceKey, new[] { listener }, historyLimit)).ToListAsync(cancellationToken);
        var outcome = rows[0].Outcome;
        if (outcome is null)
        {
            var existing = await db.TurnClaims.AsNoTracking().SingleOrDefaultAsync(c => c.SessionId == sessionId, cancellationToken)
                ?? throw new DomainStateException("the previous reply of this session has just ended; send the turn again", "answering");
            throw new TurnClaimedException(existing);
        }

        if (outcome < 0)
        {
            await limiter.RefuseAsync(db, userId, now, cancellationToken);
        }

        // Content is encrypted with the user's key; the column's converter is what EF would apply to it.
        return new ClaimedTurn([.. rows.Where(r => r.Role is not null).Select(r => new EarlierMessage(r.Role!, EncryptedColumn.Unprotect(r.Content!)))], outcome.Value);
    }

    /// <summary>A row of <see cref="ClaimAndSpendAsync"/>'s statement.</summary>
    internal sealed class ClaimRow
    {
        public double? Outcome { get; set; }
        public string? Role { get; set; }
        public string? Content { get; set; }
    }

    /// <summary>The claim on a session's turn, if one is being answered anywhere.</summary>
    public Task<TurnClaim?> FindAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken) =>
        database.ForUserAsync(userId, db => db.TurnClaims.AsNoTracking().SingleOrDefaultAsync(c => c.SessionId == sessionId, cancellationToken), cancellationToken);

    /// <summary>
    /// Deletes this instance's claim on the turn inside a unit of work; false when it was gone already
    /// (closed elsewhere), in which case nothing of the turn may be stored.
    /// </summary>
    public async Task<bool> ReleaseAsync(CoachDbContext db, ActiveTurn turn) =>
        await db.TurnClaims
            .Where(c => c.SessionId == turn.SessionId && c.TurnId == turn.TurnId && c.OwnerKey == InstanceKey)
            .ExecuteDeleteAsync() == 1;

    /// <summary>Deletes this instance's claim on a turn that stored no reply; harmless when it is gone.</summary>
    public Task ReleaseAsync(ActiveTurn turn) =>
        database.ForUserAsync(turn.UserId, db => ReleaseAsync(db, turn), CancellationToken.None);

    /// <summary>Records a connection that joined a turn another instance answers, so it is told if that instance dies.</summary>
    public Task AddListenerAsync(Guid userId, Guid sessionId, string turnId, string listener, CancellationToken cancellationToken) =>
        database.ForUserAsync(userId, db => db.Database.ExecuteSqlAsync($"""
            UPDATE turn_claims SET listeners = array_append(listeners, {listener})
            WHERE session_id = {sessionId} AND turn_id = {turnId} AND NOT ({listener} = ANY (listeners))
            """, cancellationToken), cancellationToken);

    /// <summary>Closes the session's claims in the unit of work that ends it: no reply lands in an ended session.</summary>
    public static Task CloseAllAsync(CoachDbContext db, Guid sessionId, CancellationToken cancellationToken) =>
        db.TurnClaims.Where(c => c.SessionId == sessionId).ExecuteDeleteAsync(cancellationToken);
}
