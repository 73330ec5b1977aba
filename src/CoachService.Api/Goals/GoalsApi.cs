using System.Security.Claims;
using CoachService.Api.Auth;
using CoachService.Api.Errors;
using CoachService.Goals;
using CoachService.Progress;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachService.Api.Goals;

/// <summary>What <c>POST /api/goals</c> takes; the goal's source is always user_created.</summary>
public sealed record GoalRequest(string? GoalText, string? SmartGoal = null, string? GoalType = null, DateOnly? TargetDate = null);

/// <summary>What <c>PATCH /api/goals/{id}</c> takes; a null leaves the value as it is.</summary>
public sealed record GoalChanges(string? Status = null, int? ProgressPercentage = null);

/// <summary>The goal after a change, and the achievements the change earned.</summary>
public sealed record GoalUpdated(Goal Goal, IReadOnlyList<EarnedAchievement> NewAchievements);

public static class GoalsApi
{
    public static IEndpointRouteBuilder MapGoalsApi(this IEndpointRouteBuilder app)
    {
        var goals = app.MapGroup("/api/goals").RequireAuthorization().WithTags("Goals");
        goals.MapGet("", ListAsync).ProducesValidationProblem();
        goals.MapGet("/{id:guid}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound);
        goals.MapPost("", CreateAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        goals.MapPatch("/{id:guid}", UpdateAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<Goal>>> ListAsync(
        ClaimsPrincipal user, GoalBook goals, CancellationToken cancellationToken, string? status = null) =>
        TypedResults.Ok(await goals.ListAsync(user.GetUserId(), status, cancellationToken));

    public static async Task<Results<Ok<Goal>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, GoalBook goals, CancellationToken cancellationToken) =>
        await goals.FindAsync(user.GetUserId(), id, cancellationToken) is { } goal
            ? TypedResults.Ok(goal)
            : ApiProblems.NotFoundResult("goal");

    public static async Task<Created<Goal>> CreateAsync(
        GoalRequest request, ClaimsPrincipal user, GoalBook goals, CancellationToken cancellationToken)
    {
        var draft = new NewGoal(request.GoalText ?? "", request.SmartGoal, TargetDate: request.TargetDate);
        var goal = await goals.CreateAsync(
            user.GetUserId(), request.GoalType is { } type ? draft with { GoalType = type } : draft, cancellationToken);
        return TypedResults.Created($"/api/goals/{goal.Id}", goal);
    }

    public static async Task<Ok<GoalUpdated>> UpdateAsync(
        Guid id, GoalChanges changes, ClaimsPrincipal user, GoalBook goals, CancellationToken cancellationToken)
    {
        var (goal, earned) = await goals.UpdateAsync(user.GetUserId(), id, changes.Status, changes.ProgressPercentage, cancellationToken);
        return TypedResults.Ok(new GoalUpdated(goal, earned));
    }
}
