using Microsoft.Extensions.Logging;

namespace CoachService.Privacy.Encryption;

internal static partial class EncryptionLog
{
    [LoggerMessage(4001, LogLevel.Debug, "Created the data key of user {UserId}")]
    public static partial void UserKeyCreated(ILogger logger, Guid userId);

    [LoggerMessage(4002, LogLevel.Information, "Destroyed the data key of user {UserId}: their stored text can no longer be decrypted")]
    public static partial void UserKeyDestroyed(ILogger logger, Guid userId);

    [LoggerMessage(4003, LogLevel.Information, "Wrapped {Count} user keys again with the key ring's current key")]
    public static partial void UserKeysRewrapped(ILogger logger, int count);

    [LoggerMessage(4005, LogLevel.Error, "The data key of erased user {UserId} could not be deleted; delete {Path} by hand")]
    public static partial void UserKeyNotDestroyed(ILogger logger, Exception exception, Guid userId, string path);

    [LoggerMessage(4006, LogLevel.Information, "Encrypted {Count} values stored before encryption at rest, of {Users} users")]
    public static partial void PlaintextEncrypted(ILogger logger, int count, int users);

    [LoggerMessage(4007, LogLevel.Warning, "Erased user {UserId} has no key and {Count} values stored before encryption at rest; they are left as they are: delete them")]
    public static partial void ErasedUserPlaintextLeft(ILogger logger, Guid userId, int count);

    [LoggerMessage(4008, LogLevel.Warning, "Encrypting the text stored before encryption at rest failed ({Error}); what was encrypted stays so, and the next start goes on")]
    public static partial void PlaintextEncryptionFailed(ILogger logger, Exception exception, string error);
}
