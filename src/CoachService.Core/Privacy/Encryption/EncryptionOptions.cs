using System.ComponentModel.DataAnnotations;

namespace CoachService.Privacy.Encryption;

/// <summary>
/// Where the key ring (ASP.NET Core Data Protection) and the per-user keys it wraps are kept, and how
/// long an unwrapped user key stays in memory. See docs/decisions/encryption-at-rest.md.
/// </summary>
public sealed class EncryptionOptions
{
    public const string SectionName = "DataProtection";

    /// <summary>
    /// The folder of the embedded run, in Development only: elsewhere <see cref="KeyRingPath"/> must be set
    /// (start-up stops without it). Relative paths are resolved against the working directory.
    /// </summary>
    public const string DefaultKeyRingPath = ".coach-data/keys";

    /// <summary>
    /// The key ring's folder. Keep it out of the database's backups: with a copy of the database alone,
    /// no conversation can be read. Several instances of the service share one folder.
    /// </summary>
    [Required(ErrorMessage = "DataProtection:KeyRingPath must be set: the folder of the key ring that wraps every user's key.")]
    public string KeyRingPath { get; set; } = DefaultKeyRingPath;

    /// <summary>The folder of the wrapped per-user keys; empty means <c>users</c> under <see cref="KeyRingPath"/>.</summary>
    public string? UserKeysPath { get; set; }

    /// <summary>A PKCS#12 file whose certificate encrypts the key ring's own keys at rest; empty leaves them as files only.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of <see cref="CertificatePath"/>, if it has one. Never logged.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>How many unwrapped user keys are kept in memory at most.</summary>
    [Range(1, 10_000_000, ErrorMessage = "DataProtection:UserKeyCacheSize must be between 1 and 10000000.")]
    public int UserKeyCacheSize { get; set; } = 10_000;

    /// <summary>How long an unwrapped user key is kept in memory after it was read.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "DataProtection:UserKeyCacheLifetime must be between 1 second and 1 hour.")]
    public TimeSpan UserKeyCacheLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether the service encrypts, once it has started, the text stored before encryption at rest
    /// (<see cref="PlaintextEncryption"/>). Off, such text stays readable and plain until it is written again.
    /// </summary>
    public bool EncryptPlaintextOnStart { get; set; } = true;

    /// <summary>How many rows the plaintext job encrypts in one transaction.</summary>
    [Range(1, 10_000, ErrorMessage = "DataProtection:PlaintextBatchSize must be between 1 and 10000.")]
    public int PlaintextBatchSize { get; set; } = 500;

    internal string UserKeysFolder =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(UserKeysPath) ? Path.Combine(KeyRingPath, "users") : UserKeysPath);

    internal string KeyRingFolder => Path.GetFullPath(KeyRingPath);
}
