using System.Security.Claims;
using CoachService.Api.Auth;
using CoachService.Progress;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachService.Api.Progress;

/// <summary>The caller's progress: virtue collection, dashboard and session summary.</summary>
public static class ProgressApi
{
    public static IEndpointRouteBuilder MapProgressApi(this IEndpointRouteBuilder app)
    {
        var progress = app.MapGroup("/api").RequireAuthorization().WithTags("Progress");
        progress.MapGet("/virtues", ListVirtuesAsync);
        progress.MapGet("/dashboard", GetDashboardAsync);
        progress.MapGet("/progress/summary", GetSummaryAsync);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<Virtue>>> ListVirtuesAsync(
        ClaimsPrincipal user, ProgressQueries progress, CancellationToken cancellationToken) =>
        TypedResults.Ok(await progress.ListVirtuesAsync(user.GetUserId(), cancellationToken));

    public static async Task<Ok<UserDashboard>> GetDashboardAsync(
        ClaimsPrincipal user, ProgressQueries progress, CancellationToken cancellationToken) =>
        TypedResults.Ok(await progress.GetDashboardAsync(user.GetUserId(), cancellationToken));

    /// <summary>Completed sessions of the last <paramref name="days"/> days (1..3660).</summary>
    public static async Task<Ok<SessionSummaryReport>> GetSummaryAsync(
        ClaimsPrincipal user, ProgressQueries progress, CancellationToken cancellationToken, int days = 30) =>
        TypedResults.Ok(await progress.GetSessionSummaryAsync(user.GetUserId(), days, cancellationToken));
}
