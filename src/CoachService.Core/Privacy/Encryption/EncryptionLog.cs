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

    [LoggerMessage(4004, LogLevel.Warning, "The key ring is in {Folder}, the default; set DataProtection:KeyRingPath to a folder kept apart from the database's backups")]
    public static partial void DefaultKeyRing(ILogger logger, string folder);

    [LoggerMessage(4005, LogLevel.Error, "The data key of erased user {UserId} could not be deleted; delete {Path} by hand")]
    public static partial void UserKeyNotDestroyed(ILogger logger, Exception exception, Guid userId, string path);
}
