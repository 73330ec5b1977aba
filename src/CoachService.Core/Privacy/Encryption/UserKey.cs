using System.Security.Cryptography;
using System.Text;

namespace CoachService.Privacy.Encryption;

/// <summary>One user's data key (AES-256), unwrapped. It never leaves the process unwrapped.</summary>
public sealed class UserKey
{
    public const int SizeInBytes = 32;

    internal UserKey(Guid userId, byte[] material)
    {
        if (material.Length != SizeInBytes)
        {
            throw new CryptographicException($"A user key has {SizeInBytes} bytes, not {material.Length}.");
        }

        UserId = userId;
        Material = material;
        // Binds every ciphertext to its owner as well as to the key: a value copied into another
        // user's row fails to decrypt even if the keys were ever mixed up.
        AssociatedData = [.. Encoding.ASCII.GetBytes(UserText.Prefix), .. userId.ToByteArray()];
    }

    public Guid UserId { get; }

    internal byte[] Material { get; }

    internal byte[] AssociatedData { get; }

    internal static UserKey Generate(Guid userId) => new(userId, RandomNumberGenerator.GetBytes(SizeInBytes));
}

/// <summary>Text that was encrypted for a user whose key no longer exists (the user was erased), or that was tampered with.</summary>
public sealed class UserTextUnreadableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
