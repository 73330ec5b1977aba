using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CoachService.Api.Errors;

/// <summary>The problem documents the API answers with, in one place so that every route says the same.</summary>
internal static class ApiProblems
{
    /// <summary>Missing and someone else's are the same answer.</summary>
    public static ProblemDetails NotFound(string what) => new()
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Not Found",
        Detail = $"There is no such {what}.",
    };

    public static HttpValidationProblemDetails Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>One problem naming every bad field (RFC 7807 validation problem).</summary>
    public static HttpValidationProblemDetails Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary(StringComparer.Ordinal))
        {
            Status = StatusCodes.Status400BadRequest,
        };

    public static ProblemHttpResult NotFoundResult(string what) => TypedResults.Problem(NotFound(what));
}
