using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Api.Auth;

/// <summary>How bearer tokens are signed and checked (section "Auth").</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>HMAC-SHA256 needs a key at least as long as its output.</summary>
    public const int MinimumKeyBytes = 32;

    [Required(AllowEmptyStrings = false, ErrorMessage = "Auth:Issuer is required")]
    public string Issuer { get; set; } = "coach-service";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Auth:Audience is required")]
    public string Audience { get; set; } = "coach-clients";

    /// <summary>
    /// The HMAC-SHA256 key, at least <see cref="MinimumKeyBytes"/> bytes as UTF-8. Required outside
    /// Development; in Development a random one is made at start-up when it is not set.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Auth:SigningKey is required: set it to a secret of at least 32 bytes (for example `openssl rand -base64 48`)")]
    [MinimumUtf8Bytes(MinimumKeyBytes, ErrorMessage = "Auth:SigningKey is too short: it must be at least {1} bytes once UTF-8 encoded")]
    public string SigningKey { get; set; } = "";

    /// <summary>How long a token from the development token endpoint lasts.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Auth:DevTokenLifetime must be between {1} and {2}")]
    public TimeSpan DevTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    internal SymmetricSecurityKey CreateSigningKey() => new(Encoding.UTF8.GetBytes(SigningKey));

    [AttributeUsage(AttributeTargets.Property)]
    private sealed class MinimumUtf8BytesAttribute(int bytes) : ValidationAttribute
    {
        // An empty value is [Required]'s to report.
        public override bool IsValid(object? value) =>
            value is not string text || text.Length == 0 || Encoding.UTF8.GetByteCount(text) >= bytes;

        public override string FormatErrorMessage(string name) =>
            string.Format(System.Globalization.CultureInfo.InvariantCulture, ErrorMessageString, name, bytes);
    }
}
