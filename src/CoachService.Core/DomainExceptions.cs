namespace CoachService;

/// <summary>A value the domain does not allow; <see cref="Field"/> names the field.</summary>
public sealed class DomainValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>A value that must be unique already exists (for example an e-mail address).</summary>
public sealed class DomainConflictException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// The thing does not exist for this user. Someone else's data is reported the same way, so that
/// its existence is not revealed.
/// </summary>
public sealed class DomainNotFoundException(string what, string id) : Exception($"{what} {id} was not found")
{
    public DomainNotFoundException(string what, Guid id)
        : this(what, id.ToString())
    {
    }

    public string What { get; } = what;
    public string Id { get; } = id;
}

/// <summary>The operation does not fit the current state, for example a turn on an ended session.</summary>
public sealed class DomainStateException(string message, string state) : Exception(message)
{
    public string State { get; } = state;
}

/// <summary>The database refused a row that does not belong to the current user.</summary>
public sealed class DataAccessDeniedException(string message) : Exception(message);

/// <summary>The user asked for more model work than their rate allows; <see cref="RetryAfter"/> says when to try again.</summary>
public sealed class DomainRateLimitedException(TimeSpan retryAfter, string message) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
