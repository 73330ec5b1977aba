using System.Security.Cryptography;
using System.Text;

namespace CoachService.Users;

/// <summary>
/// User ids derived from something stable about a person, so that finding their row needs no
/// look-up: row level security allows none by anything but one's own id. Each is a name-based
/// UUID (RFC 9562 version 8 over SHA-256), the same for the same input every time.
/// </summary>
public static class UserIds
{
    private const string EmailNamespace = "coach-dev-user:";
    private const string ExternalNamespace = "coach-external-user:";

    /// <summary>A user who signs in by e-mail alone (<c>/dev/token</c>, the <c>token</c> command); case and spaces do not count.</summary>
    public static Guid FromEmail(string email) =>
        NameBased(EmailNamespace + email.Trim().ToLowerInvariant());

    /// <summary>
    /// A user of an external issuer: its <c>sub</c> is unique only within that issuer, and need not
    /// be a GUID, so both go into the name. Case counts: OpenID Connect compares both exactly.
    /// </summary>
    public static Guid FromExternalSubject(string issuer, string subject) =>
        // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
        NameBased($"{ExternalNamespace}{issuer.Length}:{issuer}{subject}");

    private static Guid NameBased(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var bytes = hash.AsSpan(0, 16);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // variant 10
        return new Guid(bytes, bigEndian: true);
    }
}
