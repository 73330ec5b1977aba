namespace CoachService;

/// <summary>
/// The service cannot start because of its configuration or environment. The message is one line
/// that names the setting to change; the host prints it instead of a stack trace.
/// </summary>
public sealed class StartupException(string message, Exception? innerException = null) : Exception(message, innerException);
