using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CoachService.Api.Auth;

/// <summary>
/// The "Bearer" scheme: a token from <c>Authorization: Bearer …</c>, or from the
/// <c>access_token</c> query parameter on <c>/hubs/…</c> only, because browsers cannot set headers
/// on WebSocket requests. Elsewhere the query parameter is ignored, so tokens stay out of URLs
/// (and access logs) wherever a header is possible.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    CoachTokenValidator validator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, loggers, encoder)
{
    public const string SchemeName = "Bearer";

    private const string HeaderPrefix = "Bearer ";

    private string? rejection;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken();
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var check = token.Length == 0
            ? new TokenCheck(null, "the request names the Bearer scheme but holds no token")
            : await validator.ValidateAsync(token, Scheme.Name);
        if (check.Principal is null)
        {
            rejection = check.Rejection ?? "the token is invalid";
            AuthLog.TokenRejected(Logger, rejection);
            return AuthenticateResult.Fail(rejection);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(check.Principal, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Sets the rejection when the challenge comes without an earlier authentication of this request.
        await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;

        // RFC 6750 §3.1: a request without credentials gets the bare challenge, no error code.
        Response.Headers.WWWAuthenticate = rejection is null
            ? SchemeName
            : $"{SchemeName} error=\"invalid_token\", error_description=\"{rejection}\"";
    }

    /// <summary>The token, "" for a Bearer header without one, or null when the request has none.</summary>
    private string? ReadToken()
    {
        string? header = Request.Headers.Authorization;
        if (!string.IsNullOrEmpty(header))
        {
            if (header.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return header[HeaderPrefix.Length..].Trim();
            }

            return string.Equals(header.Trim(), SchemeName, StringComparison.OrdinalIgnoreCase) ? "" : null;
        }

        if (Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase))
        {
            string? query = Request.Query["access_token"];
            return string.IsNullOrEmpty(query) ? null : query;
        }

        return null;
    }
}
