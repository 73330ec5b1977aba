using System.Security.Claims;
using CoachService.Api.Auth;
using CoachService.Progress;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachService.Api.Progress;

/// <summary>The caller's progress: virtue collection, achievements, dashboard and session summary.</summary>
public static class ProgressApi
{
    public static IEndpointRouteBuilder MapProgressApi(this IEndpointRouteBuilder app)
    {
        var progress = app.MapGroup("/api").RequireAuthorization().WithTags("Progress");
        progress.MapGet("/virtues", ListVirtuesAsync);
        progress.MapGet("/achievements", ListAchievementsAsync);
        progress.MapGet("/dashboard", GetDashboardAsync).ProducesProblem(StatusCodes.Status404NotFound);
        progress.MapGet("/progress/summary", GetSummaryAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<Virtue>>> ListVirtuesAsync(
        ClaimsPrincipal user, ProgressQueries progress, CancellationToken cancellationToken) =>
        TypedResults.Ok(await progress.ListVirtuesAsync(user.GetUserId(), cancellationToken));

    /// <summary>The achievement catalogue with the ones the caller earned.</summary>
    public static async Task<Ok<IReadOnlyList<AchievementView>>> ListAchievementsAsync(
        ClaimsPrincipal user, ProgressQueries progress, CancellationToken cancellationToken) =>
        TypedResults.Ok(await progress.ListAchievementsAsync(user.GetUserId(), cancellationToken));

    public static async Task<Ok<UserDashboard>> GetDashboardAsync(
        ClaimsPrincipal user, ProgressQueries progress, CancellationToken cancellationToken) =>
        TypedResults.Ok(await progress.GetDashboardAsync(user.GetUserId(), cancellationToken));

    /// <summary>Completed sessions of the last <paramref name="days"/> days (1..3660).</summary>
    public static async Task<Ok<SessionSummaryReport>> GetSummaryAsync(
        ClaimsPrincipal user, ProgressQueries progress, CancellationToken cancellationToken, int days = 30) =>
        TypedResults.Ok(await progress.GetSessionSummaryAsync(user.GetUserId(), days, cancellationToken));
}
