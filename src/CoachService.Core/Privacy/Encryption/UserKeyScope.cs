namespace CoachService.Privacy.Encryption;

/// <summary>
/// The user whose key the encrypted columns use, for the unit of work running now
/// (<see cref="Persistence.CoachDatabase.ForUserAsync{T}"/>). EF Core value converters are part of the
/// model, shared by every context, and cannot see the context they convert for; the unit of work's
/// user therefore flows to them with the async call, like a transaction scope. Outside a unit of work
/// an encrypted column cannot be read or written at all.
/// </summary>
internal sealed class UserKeyScope : IDisposable
{
    private static readonly AsyncLocal<UserKeyScope?> Current = new();

    private readonly UserKeyRing keys;
    private readonly Guid userId;
    private readonly UserKeyScope? outer;
    private UserKey? key;

    private UserKeyScope(UserKeyRing keys, Guid userId, UserKeyScope? outer)
    {
        this.keys = keys;
        this.userId = userId;
        this.outer = outer;
    }

    /// <summary>Makes <paramref name="userId"/>'s key the one of the encrypted columns until disposed.</summary>
    public static UserKeyScope Enter(UserKeyRing keys, Guid userId) => Current.Value = new UserKeyScope(keys, userId, Current.Value);

    public void Dispose() => Current.Value = outer;

    /// <summary>The key to encrypt with; the first text a user ever stores makes it.</summary>
    internal static UserKey ForWriting()
    {
        var scope = Require();
        return scope.key ??= scope.keys.GetOrCreate(scope.userId);
    }

    /// <summary>The key to decrypt with; a user without one (erased) has nothing readable.</summary>
    internal static UserKey ForReading()
    {
        var scope = Require();
        return scope.key ??= scope.keys.Find(scope.userId)
            ?? throw new UserTextUnreadableException($"User {scope.userId} has no data key (erased): their stored text cannot be decrypted.");
    }

    private static UserKeyScope Require() => Current.Value
        ?? throw new InvalidOperationException("Encrypted text is read and written only inside a user's unit of work (CoachDatabase.ForUserAsync).");
}
