namespace CoachService;

/// <summary>
/// Collects a request's bad values so that one <see cref="DomainValidationException"/> names them
/// all, and a client can correct every field at once instead of one per round trip.
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var messages))
        {
            errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>Adds the error unless <paramref name="valid"/>; returns <paramref name="valid"/>.</summary>
    public bool Require(bool valid, string field, string message)
    {
        if (!valid)
        {
            Add(field, message);
        }

        return valid;
    }

    /// <summary>
    /// Runs a check shared with callers that throw at once (a time zone, for one) and keeps its errors.
    /// </summary>
    public void Collect(Action check)
    {
        try
        {
            check();
        }
        catch (DomainValidationException e)
        {
            foreach (var (field, messages) in e.Errors)
            {
                foreach (var message in messages)
                {
                    Add(field, message);
                }
            }
        }
    }

    /// <exception cref="DomainValidationException">Naming every field added, when there is one.</exception>
    public void ThrowIfAny()
    {
        if (errors.Count > 0)
        {
            throw new DomainValidationException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
