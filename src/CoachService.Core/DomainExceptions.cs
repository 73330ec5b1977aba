namespace CoachService;

/// <summary>
/// Values the domain does not allow: <see cref="Errors"/> names every bad field with its messages,
/// <see cref="Field"/> the first of them.
/// </summary>
public sealed class DomainValidationException : Exception
{
    public DomainValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    /// <param name="errors">At least one field; the first is <see cref="Field"/>.</param>
    public DomainValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join("; ", errors.SelectMany(e => e.Value)))
    {
        Field = errors.Keys.FirstOrDefault() ?? throw new ArgumentException("A validation error names at least one field.", nameof(errors));
        Errors = errors;
    }

    public string Field { get; }

    /// <summary>Each bad field (as the client spells it) and what is wrong with it, in the order found.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
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
