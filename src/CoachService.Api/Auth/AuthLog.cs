using Microsoft.Extensions.Logging;

namespace CoachService.Api.Auth;

internal static partial class AuthLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Auth:SigningKey is not set: signing tokens with a random key made at start-up, so tokens will not survive a restart")]
    public static partial void UsingGeneratedSigningKey(ILogger logger);

    // The reason is one of the validator's fixed phrases; the token itself is never logged.
    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Bearer token rejected: {Reason}")]
    public static partial void TokenRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Issued a development token for user {UserId}")]
    public static partial void DevTokenIssued(ILogger logger, Guid userId);
}
