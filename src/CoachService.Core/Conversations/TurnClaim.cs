using CoachService.Persistence;

namespace CoachService.Conversations;

/// <summary>
/// The database's record that a session's reply is being generated, and by which instance: at most one
/// per session (the key), written in the transaction that stores the user's message. While it exists the
/// turn is in progress; the reply is stored only by the transaction that deletes it, so a turn closed
/// elsewhere (the session ended, the owner declared dead) can never be written afterwards.
/// </summary>
public sealed class TurnClaim : IUserOwned
{
    public Guid SessionId { get; set; }

    public Guid UserId { get; set; }

    public string TurnId { get; set; } = "";

    public int UserSequence { get; set; }

    /// <summary>The owning instance's advisory lock key (<see cref="TurnClaims.InstanceKey"/>).</summary>
    public long OwnerKey { get; set; }

    /// <summary>Connection ids that listen to the reply, told when the turn is closed for a dead owner.</summary>
    public List<string> Listeners { get; set; } = [];

    public DateTimeOffset ClaimedAt { get; set; }
}

/// <summary>A user's token bucket on model work, shared by every instance (see <see cref="TurnRateLimiter"/>).</summary>
public sealed class TurnBucket : IUserOwned
{
    public Guid UserId { get; set; }

    public double Tokens { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
