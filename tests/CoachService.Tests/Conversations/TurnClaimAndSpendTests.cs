using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CoachService.Tests.Conversations;

/// <summary>The claim on a turn and the permit it spends are one statement: a lost claim spends nothing, an empty bucket keeps no claim.</summary>
public sealed class TurnClaimAndSpendTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_won_claim_spends_a_permit_a_lost_one_spends_none_and_an_empty_bucket_keeps_no_claim()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var database = await CoachTestDatabase.CreateAsync(time).WaitAsync(Timeout);
        var user = (await database.Get<UserAccounts>().CreateAsync(new NewUser($"claim.{Guid.NewGuid():N}@example.com"))).Id;
        var sessions = database.Get<CoachingSessions>();
        var first = (await sessions.StartAsync(user, "face_to_face")).Id;
        var second = (await sessions.StartAsync(user, "face_to_face")).Id;
        var third = (await sessions.StartAsync(user, "face_to_face")).Id;
        var coach = database.Get<CoachDatabase>();
        var claims = new TurnClaims(coach, time);
        var limiter = new TurnRateLimiter(Options.Create(new CoachingOptions { TurnBurst = 3, TurnsPerMinute = 1 }), time);
        var elsewhere = new TurnClaims(coach, time);
        Task ClaimAndSpend(TurnClaims by, Guid session, string turn) =>
            coach.ForUserAsync(user, db => by.ClaimAndSpendAsync(db, user, session, turn, 1, "connection-a", limiter, CancellationToken.None), CancellationToken.None);
        Task<double?> Tokens() => coach.ForUserAsync(user, db => db.TurnBuckets.Where(b => b.UserId == user).Select(b => (double?)b.Tokens).SingleOrDefaultAsync());

        // Another instance won the first session's turn, spending one permit of the burst of 3.
        await ClaimAndSpend(elsewhere, first, "t1");
        Assert.Equal(2, await Tokens());

        // Here the claim is lost, and no permit is spent.
        var lost = await Assert.ThrowsAsync<TurnClaimedException>(() => ClaimAndSpend(claims, first, "t1"));
        Assert.Equal(elsewhere.InstanceKey, lost.Claim.OwnerKey);
        Assert.Equal(2, await Tokens());

        // Won: the claim is this instance's and a permit is spent.
        await ClaimAndSpend(claims, second, "t1");
        Assert.Equal(claims.InstanceKey, (await claims.FindAsync(user, second, CancellationToken.None))!.OwnerKey);
        Assert.Equal(1, await Tokens());

        await ClaimAndSpend(claims, third, "t1");
        Assert.Equal(0, await Tokens());

        // The bucket is empty: refused with the wait, and the claim rolled back with the unit.
        await coach.ForUserAsync(user, db => claims.ReleaseAsync(db, new ActiveTurn(user, third, "t1", 1, "Hi")));
        time.Advance(TimeSpan.FromSeconds(30));
        var limited = await Assert.ThrowsAsync<DomainRateLimitedException>(() => ClaimAndSpend(claims, third, "t2"));
        Assert.InRange(limited.RetryAfter.TotalSeconds, 29.99, 30.01);
        Assert.Null(await claims.FindAsync(user, third, CancellationToken.None));
        Assert.Equal(0, await Tokens());

        // A minute after the last spend the bucket holds a permit again.
        time.Advance(TimeSpan.FromSeconds(30));
        await ClaimAndSpend(claims, third, "t2");
        Assert.Equal(0, (await Tokens())!.Value, 0.0001);
    }
    [Fact]
    public async Task The_claims_statement_reads_the_turns_history_newest_first_without_system_messages_and_only_when_won()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var database = await CoachTestDatabase.CreateAsync(time).WaitAsync(Timeout);
        var accounts = database.Get<UserAccounts>();
        var user = (await accounts.CreateAsync(new NewUser($"history.{Guid.NewGuid():N}@example.com"))).Id;
        var other = (await accounts.CreateAsync(new NewUser($"history.other.{Guid.NewGuid():N}@example.com"))).Id;
        var sessions = database.Get<CoachingSessions>();
        var session = (await sessions.StartAsync(user, "face_to_face")).Id;
        var othersSession = (await sessions.StartAsync(other, "face_to_face")).Id;
        var coach = database.Get<CoachDatabase>();
        Task Store(Guid owner, Guid inSession, int sequence, string role, string content) => coach.ForUserAsync(owner, db =>
        {
            db.Messages.Add(new Message { UserId = owner, SessionId = inSession, SequenceNumber = sequence, Role = role, Content = content, CreatedAt = time.GetUtcNow() });
            return Task.CompletedTask;
        }, CancellationToken.None);
        await Store(user, session, 1, "user", "Hello.");
        await Store(user, session, 2, "assistant", "Hi, how are you?");
        await Store(user, session, 3, "system", "A note that is never history.");
        await Store(user, session, 4, "user", "Tired.");
        await Store(user, session, 5, "assistant", "Tell me more.");
        // A later message (a turn answered again, say) is not before the turn's own.
        await Store(user, session, 7, "assistant", "Not before the turn.");
        await Store(other, othersSession, 1, "user", "Someone else's words.");

        // Stored encrypted: the statement's rows are decrypted as EF would.
        var stored = await coach.ForUserAsync(user, db => db.Database.SqlQuery<string>($"SELECT content AS \"Value\" FROM messages WHERE sequence_number = 1").ToListAsync());
        Assert.DoesNotContain("Hello.", stored.Single());

        var claims = new TurnClaims(coach, time);
        var limiter = new TurnRateLimiter(Options.Create(new CoachingOptions { TurnBurst = 3, TurnsPerMinute = 1 }), time);
        Task<ClaimedTurn> Claim(TurnClaims by, string turn, int limit) =>
            coach.ForUserAsync(user, db => by.ClaimAndSpendAsync(db, user, session, turn, 6, "connection-a", limiter, CancellationToken.None, limit), CancellationToken.None);

        var claimed = await Claim(claims, "t6", ConversationContext.MaxHistoryMessages);
        Assert.Equal(
            [new("assistant", "Tell me more."), new("user", "Tired."), new("assistant", "Hi, how are you?"), new EarlierMessage("user", "Hello.")],
            claimed.Earlier);
        Assert.Equal(2, claimed.PermitsLeft); // of the burst of 3, the clock standing still

        // Lost: no history, the claim's exception; the limit is honoured, and 0 reads none.
        await Assert.ThrowsAsync<TurnClaimedException>(() => Claim(new TurnClaims(coach, time), "t6", ConversationContext.MaxHistoryMessages));
        await coach.ForUserAsync(user, db => claims.ReleaseAsync(db, new ActiveTurn(user, session, "t6", 6, "Hi")));
        var limited = await Claim(claims, "t6", 2);
        Assert.Equal([new("assistant", "Tell me more."), new EarlierMessage("user", "Tired.")], limited.Earlier);
        Assert.Equal(1, limited.PermitsLeft);
        await coach.ForUserAsync(user, db => claims.ReleaseAsync(db, new ActiveTurn(user, session, "t6", 6, "Hi")));
        var none = await Claim(claims, "t6", 0);
        Assert.Empty(none.Earlier);
        Assert.Equal(0, none.PermitsLeft);
        await coach.ForUserAsync(user, db => claims.ReleaseAsync(db, new ActiveTurn(user, session, "t6", 6, "Hi")));

        // The bucket is empty: refused, nothing returned, the claim rolled back.
        await Assert.ThrowsAsync<DomainRateLimitedException>(() => Claim(claims, "t6", ConversationContext.MaxHistoryMessages));
        Assert.Null(await claims.FindAsync(user, session, CancellationToken.None));
    }
}
