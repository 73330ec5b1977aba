using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using CoachService.Api.Auth;
using CoachService.Api.Errors;
using CoachService.Privacy;
using CoachService.Profiles;
using CoachService.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachService.Api.Me;

/// <summary>The caller's own account: profile, preferences, and the GDPR export and erasure.</summary>
public static class MeApi
{
    /// <summary>
    /// The export is read by people, so text and timestamps are written as they are (ã, +00:00)
    /// rather than as \u escapes. The relaxed encoder's escapes only matter for JSON pasted into
    /// HTML or a script; this file is a download (<c>Content-Disposition: attachment</c>) of
    /// <c>application/json</c> that browsers are told not to sniff, so it is never parsed as HTML. It
    /// still escapes quotes, backslashes and control characters: the JSON stays valid.
    /// </summary>
    private static readonly JsonSerializerOptions ExportJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me").RequireAuthorization().WithTags("Me");
        me.MapGet("", GetAsync).ProducesProblem(StatusCodes.Status404NotFound);
        me.MapPatch("", UpdateAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        me.MapDelete("", EraseAsync).ProducesProblem(StatusCodes.Status404NotFound);
        me.MapGet("/preferences", GetPreferencesAsync);
        me.MapPut("/preferences", SavePreferencesAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        me.MapGet("/export", ExportAsync).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<UserOverview>, ProblemHttpResult>> GetAsync(
        ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.GetOverviewAsync(user.GetUserId(), cancellationToken) is { } overview
            ? TypedResults.Ok(overview)
            : ApiProblems.NotFoundResult("user");

    public static async Task<Ok<UserOverview>> UpdateAsync(
        UserChanges changes, ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await accounts.UpdateAsync(user.GetUserId(), changes, cancellationToken));

    /// <summary>GDPR erasure: the user and everything they own.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> EraseAsync(
        ClaimsPrincipal user, UserDataPrivacy privacy, CancellationToken cancellationToken) =>
        await privacy.EraseAsync(user.GetUserId(), cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.NotFoundResult("user");

    public static async Task<Ok<PreferencesView>> GetPreferencesAsync(
        ClaimsPrincipal user, CoachingPreferenceStore preferences, CancellationToken cancellationToken) =>
        TypedResults.Ok(await preferences.GetAsync(user.GetUserId(), cancellationToken));

    public static async Task<Ok<PreferencesView>> SavePreferencesAsync(
        PreferenceChoices choices, ClaimsPrincipal user, CoachingPreferenceStore preferences, CancellationToken cancellationToken) =>
        TypedResults.Ok(await preferences.SaveAsync(user.GetUserId(), choices, cancellationToken));

    /// <summary>GDPR export: every row the user owns, as a JSON file to download.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        ClaimsPrincipal user, UserDataPrivacy privacy, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await privacy.ExportAsync(user.GetUserId(), cancellationToken) is not { } document)
        {
            return ApiProblems.NotFoundResult("user");
        }

        response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(document, ExportJson), "application/json", "coach-export.json");
    }
}
