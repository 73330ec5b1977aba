using CoachService.Benchmarks;

namespace CoachService.Tests.Benchmarks;

/// <summary>The benchmark's database cross-check finds each way a turn can go wrong.</summary>
public sealed class TurnAuditTests
{
    private static readonly Guid Session = Guid.NewGuid();

    private static (StoredMessage User, StoredMessage Reply) Stored(string turnId, string reply = "Hello there.") =>
        (new StoredMessage(Guid.NewGuid(), Session, turnId, "user", "Hi", false), new StoredMessage(Guid.NewGuid(), Session, turnId, "assistant", reply, false));

    private static SentTurn Sent(string turnId, string? content = "Hello there.") => new(Session, turnId, content, false);

    [Fact]
    public void A_turn_stored_once_with_reply_and_snapshot_is_clean()
    {
        var (user, reply) = Stored("t1");
        var audit = TurnAudit.Check([Sent("t1")], [user, reply], new HashSet<Guid> { user.Id });
        Assert.True(audit.Clean);
        Assert.Equal(1, audit.StoredOnce);
    }

    [Fact]
    public void A_turn_with_no_rows_is_lost()
    {
        var audit = TurnAudit.Check([Sent("t1")], [], new HashSet<Guid>());
        Assert.Equal(1, audit.Lost);
        Assert.False(audit.Clean);
    }

    [Fact]
    public void A_second_reply_under_one_turn_id_is_a_duplicate()
    {
        var (user, reply) = Stored("t1");
        var again = reply with { Id = Guid.NewGuid() };
        var audit = TurnAudit.Check([Sent("t1")], [user, reply, again], new HashSet<Guid> { user.Id });
        Assert.Equal(1, audit.Duplicated);
        Assert.Equal(0, audit.StoredOnce);
    }

    [Fact]
    public void A_missing_reply_a_missing_snapshot_and_a_different_reply_are_each_found()
    {
        var (user1, _) = Stored("t1");
        var (user2, reply2) = Stored("t2");
        var (user3, reply3) = Stored("t3", "Something else.");
        var audit = TurnAudit.Check([Sent("t1"), Sent("t2"), Sent("t3")], [user1, user2, reply2, user3, reply3], new HashSet<Guid> { user1.Id, user3.Id });
        Assert.Equal(1, audit.WithoutReply);
        Assert.Equal(1, audit.WithoutSnapshot);
        Assert.Equal(1, audit.ContentMismatch);
        Assert.Equal(3, audit.Problems.Count);
    }

    [Fact]
    public void A_stored_turn_no_client_sent_is_unexpected()
    {
        var (user, reply) = Stored("t1");
        var (ghost, _) = Stored("ghost");
        var audit = TurnAudit.Check([Sent("t1")], [user, reply, ghost], new HashSet<Guid> { user.Id, ghost.Id });
        Assert.Equal(1, audit.Unexpected);
        Assert.False(audit.Clean);
    }
}
