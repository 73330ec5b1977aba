using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace CoachService.Api.Auth;

/// <summary>
/// How bearer tokens are signed and checked (section "Auth"): our own HS256 tokens, and optionally
/// those of an external OpenID Connect issuer (<see cref="Authority"/>).
/// </summary>
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

    /// <summary>
    /// An external OpenID Connect issuer (for example https://login.example.com/realms/coach) whose
    /// RS256 tokens are accepted besides ours; its keys come from its discovery document. Its users
    /// are created on first sight.
    /// </summary>
    [HttpUrl(ErrorMessage = "Auth:Authority must be an absolute http(s) URL such as https://login.example.com/realms/coach")]
    public string? Authority { get; set; }

    /// <summary>The discovery document, when not at <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    [HttpUrl(ErrorMessage = "Auth:MetadataAddress must be an absolute http(s) URL")]
    public string? MetadataAddress { get; set; }

    /// <summary>
    /// Fetch the discovery document and keys over plain http from a host that is not loopback, outside
    /// Development. Only for an issuer reached over a private network you trust.
    /// </summary>
    public bool AllowHttpMetadata { get; set; }

    /// <summary>
    /// How soon after it was issued (<c>iat</c>) an external token must first be seen to create its
    /// user. An older token for an unknown user, such as one kept across the erasure of the
    /// account, is refused: the person signs in again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00", ErrorMessage = "Auth:ProvisioningWindow must be between {1} and {2}")]
    public TimeSpan ProvisioningWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where the issuer's discovery document is; null without an external issuer (or for a value that is not a URL, which validation reports).</summary>
    internal Uri? MetadataUri =>
        !string.IsNullOrWhiteSpace(MetadataAddress) ? Absolute(MetadataAddress)
        : !string.IsNullOrWhiteSpace(Authority) ? Absolute(Authority.TrimEnd('/') + "/.well-known/openid-configuration")
        : null;

    /// <summary>Https, or http where that is safe enough: loopback, Development, or <see cref="AllowHttpMetadata"/>.</summary>
    internal bool MetadataTransportIsAllowed(bool development) =>
        MetadataUri is not { } uri || uri.Scheme == Uri.UriSchemeHttps || uri.IsLoopback || development || AllowHttpMetadata;

    /// <summary>HS256 for our tokens, and RS256 for the external issuer's when there is one.</summary>
    internal IReadOnlyList<string> Algorithms => MetadataUri is null
        ? [SecurityAlgorithms.HmacSha256]
        : [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256];

    /// <summary>The key, with an id: IdentityModel 8.19 fails with a NullReferenceException when an
    /// id-less key sits beside the issuer's keys and a token names a <c>kid</c> whose signature fails.</summary>
    internal SymmetricSecurityKey CreateSigningKey() => new(Encoding.UTF8.GetBytes(SigningKey)) { KeyId = "coach-hs256" };

    private static Uri? Absolute(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>Empty (not set: Docker Compose passes empty variables) or an absolute http(s) URL.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    private sealed class HttpUrlAttribute : ValidationAttribute
    {
        public override bool IsValid(object? value) =>
            value is not string text || string.IsNullOrWhiteSpace(text)
            || (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp));
    }

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
