using System.Security.Claims;
using CoachService.Api.Auth;
using CoachService.Wellbeing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachService.Api.Wellbeing;

/// <summary>The caller's mood check-ins.</summary>
public static class MoodCheckInsApi
{
    public static IEndpointRouteBuilder MapMoodCheckInsApi(this IEndpointRouteBuilder app)
    {
        var checkIns = app.MapGroup("/api/mood-checkins").RequireAuthorization().WithTags("Wellbeing");
        checkIns.MapGet("", ListAsync).ProducesValidationProblem();
        checkIns.MapPost("", RecordAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>Check-ins of the last <paramref name="days"/> days (1..3660), newest first.</summary>
    public static async Task<Ok<IReadOnlyList<MoodCheckIn>>> ListAsync(
        ClaimsPrincipal user, MoodJournal journal, CancellationToken cancellationToken, int days = 30) =>
        TypedResults.Ok(await journal.ListAsync(user.GetUserId(), days, cancellationToken));

    public static async Task<Created<MoodCheckIn>> RecordAsync(
        NewMoodCheckIn checkIn, ClaimsPrincipal user, MoodJournal journal, CancellationToken cancellationToken) =>
        TypedResults.Created((string?)null, await journal.RecordAsync(user.GetUserId(), checkIn, cancellationToken));
}
