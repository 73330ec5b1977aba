using System.Security.Cryptography;
using System.Text;

namespace CoachService.Privacy.Encryption;

/// <summary>
/// The stored form of a user's conversation text: <c>enc1:</c> and the base64 of a 12-byte random
/// nonce, the AES-256-GCM ciphertext of the UTF-8 text and its 16-byte tag. The prefix is the format's
/// version; a value without it is text written before encryption at rest and is read as it is.
/// </summary>
public static class UserText
{
    public const string Prefix = "enc1:";

    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static bool IsEncrypted(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    public static string Encrypt(UserKey key, string text)
    {
        var plain = Encoding.UTF8.GetBytes(text);
        var sealedText = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedText.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        // AesGcm is not thread-safe; one per call costs a key schedule, far below a database write.
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(nonce, plain, sealedText.AsSpan(NonceSize, plain.Length), sealedText.AsSpan(NonceSize + plain.Length), key.AssociatedData);
        return Prefix + Convert.ToBase64String(sealedText);
    }

    /// <exception cref="UserTextUnreadableException">The value is not this user's, or was changed.</exception>
    public static string Decrypt(UserKey key, string stored)
    {
        if (!IsEncrypted(stored))
        {
            return stored;
        }

        try
        {
            var sealedText = Convert.FromBase64String(stored[Prefix.Length..]);
            if (sealedText.Length < NonceSize + TagSize)
            {
                throw new CryptographicException("The encrypted value is too short.");
            }

            var cipherLength = sealedText.Length - NonceSize - TagSize;
            var plain = new byte[cipherLength];
            using var aes = new AesGcm(key.Material, TagSize);
            aes.Decrypt(sealedText.AsSpan(0, NonceSize), sealedText.AsSpan(NonceSize, cipherLength),
                sealedText.AsSpan(NonceSize + cipherLength), plain, key.AssociatedData);
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw new UserTextUnreadableException($"Stored text of user {key.UserId} cannot be decrypted with their key.", e);
        }
    }
}
