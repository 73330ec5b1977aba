using Microsoft.AspNetCore.StaticFiles;

namespace CoachService.Api.Web;

/// <summary>
/// The web chat and voice page at <c>/</c> (wwwroot): plain JavaScript modules on the official SignalR
/// client, which the build copies from npm into wwwroot/lib. Served without sign-in; it signs in itself.
/// </summary>
public static class WebPage
{
    /// <summary>
    /// Scripts and styles only from the service's own files, nothing inline (a reply is untrusted text, and
    /// the page renders it with textContent; the policy is the second line), connections to the service itself
    /// (its WebSocket included), no framing, no plugins.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

    /// <summary>Serves index.html at <c>/</c> and the page's files, each with the security headers.</summary>
    public static WebApplication UseCoachWebPage(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // The microphone is asked for by this page only, for voice mode.
                headers["Permissions-Policy"] = "microphone=(self), camera=(), geolocation=()";
                // The page changes with every release and its files are small: always revalidate.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
