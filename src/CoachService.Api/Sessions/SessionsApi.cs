using System.Security.Claims;
using CoachService.Api.Auth;
using CoachService.Api.Errors;
using CoachService.Goals;
using CoachService.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachService.Api.Sessions;

/// <summary>The caller's coaching sessions (read-only here; sessions are held over the hub).</summary>
public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions").RequireAuthorization().WithTags("Sessions");
        sessions.MapGet("", ListAsync).ProducesValidationProblem();
        sessions.MapGet("/{id:guid}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound);
        sessions.MapPost("/{id:guid}/suggested-goals/{index:int}/accept", AcceptSuggestedGoalAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Ok<SessionPage>> ListAsync(
        ClaimsPrincipal user, CoachingSessions sessions, CancellationToken cancellationToken, int page = 1, int pageSize = 20) =>
        TypedResults.Ok(await sessions.ListAsync(user.GetUserId(), page, pageSize, cancellationToken));

    public static async Task<Results<Ok<SessionDetail>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, CoachingSessions sessions, CancellationToken cancellationToken) =>
        await sessions.GetDetailAsync(user.GetUserId(), id, cancellationToken) is { } detail
            ? TypedResults.Ok(detail)
            : ApiProblems.NotFoundResult("session");

    /// <summary>Makes a goal of suggested goal number <paramref name="index"/> (from 0) of the session's summary.</summary>
    public static async Task<Created<Goal>> AcceptSuggestedGoalAsync(
        Guid id, int index, ClaimsPrincipal user, GoalBook goals, CancellationToken cancellationToken)
    {
        var goal = await goals.AcceptSuggestionAsync(user.GetUserId(), id, index, cancellationToken);
        return TypedResults.Created($"/api/goals/{goal.Id}", goal);
    }
}
