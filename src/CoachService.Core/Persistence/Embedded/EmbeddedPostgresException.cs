namespace CoachService.Persistence.Embedded;

/// <summary>
/// The embedded cluster could not be started or stopped. The message is written for the person
/// running the service: it names the setting or the command that fixes the problem.
/// </summary>
public sealed class EmbeddedPostgresException : Exception
{
    public EmbeddedPostgresException(string message)
        : base(message)
    {
    }

    public EmbeddedPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
