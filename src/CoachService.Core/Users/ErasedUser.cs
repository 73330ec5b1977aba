namespace CoachService.Users;

/// <summary>
/// An erased account: its id and when it was erased, nothing else. Kept so that a sign-in token
/// issued before the erasure cannot create the account again (see docs/decisions/bearer-tokens.md).
/// </summary>
public sealed class ErasedUser
{
    public Guid Id { get; set; }
    public DateTimeOffset ErasedAt { get; set; }
}
