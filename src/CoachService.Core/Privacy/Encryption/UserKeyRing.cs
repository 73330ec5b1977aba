using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Privacy.Encryption;

/// <summary>
/// Every user's data key, each in its own file wrapped by the Data Protection key ring, outside the
/// database: a copy of the database (a dump, a WAL archive, a backup) holds no key, and erasing a user
/// deletes their file, so whatever ciphertext of theirs survives anywhere can no longer be read.
/// Unwrapped keys are kept in a bounded in-memory cache so a turn does not read a file.
/// </summary>
public sealed class UserKeyRing : IDisposable
{
    private const string Purpose = "CoachService.UserKeys.v1";

    private readonly IDataProtector protector;
    private readonly MemoryCache cache;
    private readonly TimeSpan lifetime;
    private readonly string folder;
    private readonly ILogger<UserKeyRing> logger;

    public UserKeyRing(IDataProtectionProvider dataProtection, IOptions<EncryptionOptions> options, ILogger<UserKeyRing> logger)
    {
        protector = dataProtection.CreateProtector(Purpose);
        cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.UserKeyCacheSize });
        lifetime = options.Value.UserKeyCacheLifetime;
        folder = options.Value.UserKeysFolder;
        this.logger = logger;
    }

    /// <summary>
    /// The user's key: made and stored when the account is made (<see cref="Users.UserAccounts"/>), so that no turn
    /// waits for the disk, or else the first time the user has text to encrypt. Its file and the folder's entry are on
    /// disk before it is returned.
    /// </summary>
    public UserKey GetOrCreate(Guid userId)
    {
        if (Find(userId) is { } key)
        {
            return key;
        }

        EnsureFolder();
        var created = UserKey.Generate(userId);
        var path = PathOf(userId);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        WriteSecret(temporary, For(userId).Protect(created.Material));
        try
        {
            // Fails if another turn (or another instance) stored a key first: that one wins, and is read below.
            File.Move(temporary, path, overwrite: false);
            DurableFolder.Sync(folder);
            EncryptionLog.UserKeyCreated(logger, userId);
            return Remember(created);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return Find(userId) ?? throw new UserTextUnreadableException($"The key of user {userId} could not be read.");
        }
    }

    /// <summary>The user's key, or null when they never had one or were erased.</summary>
    public UserKey? Find(Guid userId)
    {
        if (cache.TryGetValue(userId, out UserKey? cached) && cached is not null)
        {
            return cached;
        }

        byte[] wrapped;
        try
        {
            wrapped = File.ReadAllBytes(PathOf(userId));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return Remember(new UserKey(userId, For(userId).Unprotect(wrapped)));
        }
        catch (CryptographicException e)
        {
            throw new UserTextUnreadableException($"The key of user {userId} cannot be unwrapped by the key ring.", e);
        }
    }

    /// <summary>Crypto-shredding: deletes the user's key, so none of their text can be decrypted again.</summary>
    /// <returns>False when the user had no key.</returns>
    public bool Destroy(Guid userId)
    {
        cache.Remove(userId);
        var path = PathOf(userId);
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            File.Delete(path);
            // Crypto-shredding that a power cut could undo is not one.
            DurableFolder.Sync(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            EncryptionLog.UserKeyNotDestroyed(logger, e, userId, path);
            throw;
        }

        EncryptionLog.UserKeyDestroyed(logger, userId);
        return true;
    }

    /// <summary>
    /// Wraps again, with the key ring's current default key, every user key that an older ring key
    /// (expired or revoked too) wrapped; after this an old ring key can be revoked or deleted.
    /// </summary>
    /// <returns>How many user keys were wrapped again.</returns>
    public int Rewrap()
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var rewrapped = 0;
        foreach (var path in Directory.EnumerateFiles(folder, "*.key"))
        {
            if (!Guid.TryParseExact(Path.GetFileNameWithoutExtension(path), "N", out var userId))
            {
                continue;
            }

            var persisted = (IPersistedDataProtector)For(userId);
            var material = persisted.DangerousUnprotect(File.ReadAllBytes(path), ignoreRevocationErrors: true, out var requiresMigration, out var wasRevoked);
            if (!requiresMigration && !wasRevoked)
            {
                continue;
            }

            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            WriteSecret(temporary, persisted.Protect(material));
            File.Move(temporary, path, overwrite: true);
            cache.Remove(userId);
            rewrapped++;
        }

        if (rewrapped > 0)
        {
            DurableFolder.Sync(folder);
        }

        EncryptionLog.UserKeysRewrapped(logger, rewrapped);
        return rewrapped;
    }

    public void Dispose() => cache.Dispose();

    // The user id is part of the purpose: a key file copied under another user's name does not unwrap.
    private IDataProtector For(Guid userId) => protector.CreateProtector(userId.ToString("N"));

    private string PathOf(Guid userId) => Path.Combine(folder, userId.ToString("N") + ".key");

    private UserKey Remember(UserKey key)
    {
        cache.Set(key.UserId, key, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });
        return key;
    }

    private void EnsureFolder()
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (Path.GetDirectoryName(Path.GetFullPath(folder)) is { Length: > 0 } parent)
        {
            DurableFolder.Sync(parent);
        }
    }

    private static void WriteSecret(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }
}
