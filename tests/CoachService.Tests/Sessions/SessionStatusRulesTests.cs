using CoachService.Sessions;

namespace CoachService.Tests.Sessions;

public sealed class SessionStatusRulesTests
{
    private static CoachingSession SessionIn(SessionStatus status) => new()
    {
        Id = Guid.NewGuid(), SessionType = "face_to_face", Status = status, StartedAt = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData(SessionStatus.Started, true, false)]
    [InlineData(SessionStatus.InProgress, true, false)]
    [InlineData(SessionStatus.Interrupted, false, false)]
    [InlineData(SessionStatus.Completed, false, true)]
    [InlineData(SessionStatus.Failed, false, true)]
    public void Each_status_says_whether_it_takes_turns_and_whether_it_is_final(SessionStatus status, bool open, bool final)
    {
        Assert.Equal(open, status.IsOpen());
        Assert.Equal(final, status.IsFinal());
    }

    [Fact]
    public void Wire_names_are_the_stored_snake_case_names_and_round_trip()
    {
        Assert.Equal(["started", "in_progress", "completed", "interrupted", "failed"], SessionStatusRules.WireNames);
        foreach (var status in Enum.GetValues<SessionStatus>())
        {
            Assert.Equal(status, SessionStatusRules.FromWire(status.ToWire()));
        }

        Assert.Equal("\"in_progress\"", System.Text.Json.JsonSerializer.Serialize(SessionStatus.InProgress));
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionStatusRules.FromWire("done"));
    }

    [Fact]
    public void A_user_turn_moves_a_started_session_on_and_is_refused_once_it_is_closed()
    {
        var session = SessionIn(SessionStatus.Started);
        session.UserTurnTaken();
        Assert.Equal(SessionStatus.InProgress, session.Status);

        var interrupted = SessionIn(SessionStatus.Interrupted);
        var refused = Assert.Throws<DomainStateException>(interrupted.UserTurnTaken);
        Assert.Equal("interrupted", refused.State);
        Assert.Contains("start a new session", refused.Message);
    }

    [Fact]
    public void Completing_sets_the_duration_and_cannot_happen_twice()
    {
        var session = SessionIn(SessionStatus.InProgress);
        session.Complete(DateTimeOffset.UnixEpoch.AddSeconds(90));
        Assert.Equal((SessionStatus.Completed, 90), (session.Status, session.DurationSeconds));

        var again = Assert.Throws<DomainStateException>(() => session.Complete(DateTimeOffset.UnixEpoch.AddSeconds(100)));
        Assert.Contains("already completed", again.Message);

        // An interrupted session can still be ended; its last reply can still be cut.
        var interrupted = SessionIn(SessionStatus.Interrupted);
        interrupted.EnsureMessagesCanChange();
        interrupted.Complete(DateTimeOffset.UnixEpoch);
        Assert.Throws<DomainStateException>(interrupted.EnsureMessagesCanChange);
    }
}
