using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace CoachService.Api.Errors;

/// <summary>
/// Turns the domain's exceptions, and requests that could not be read, into RFC 7807 problem
/// documents. Only messages the domain writes for users are shown (they name the field); the text
/// of any other exception, and every stack trace, stays out of the response.
/// </summary>
internal sealed class DomainProblemHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            DomainValidationException e => ApiProblems.Invalid(e.Field, e.Message),
            BadHttpRequestException e => Unreadable(e),
            DomainNotFoundException e => ApiProblems.NotFound(e.What),
            // Someone else's row: reported exactly like a missing one, so that its existence is not revealed.
            DataAccessDeniedException => ApiProblems.NotFound("resource"),
            DomainConflictException e => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Conflict",
                Detail = e.Message,
                Extensions = { ["field"] = e.Field },
            },
            DomainStateException e => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Conflict",
                Detail = $"This is not possible while the state is {e.State}.",
                Extensions = { ["state"] = e.State },
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>Bad JSON or a value of the wrong type: named by its JSON path when there is one.</summary>
    private static ProblemDetails Unreadable(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status400BadRequest
            && exception.InnerException is JsonException { Path: { } path }
            && FieldOf(path) is { Length: > 0 } field)
        {
            return ApiProblems.Invalid(field, $"{field} is not valid JSON or not of the expected type");
        }

        return new ProblemDetails
        {
            Status = exception.StatusCode,
            Title = "The request could not be read",
            Detail = "Check that the body is JSON of the documented shape and that query values have the right type.",
        };
    }

    /// <summary>$.triggers[0] → triggers; $ → "".</summary>
    private static string FieldOf(string path)
    {
        var field = path.TrimStart('$').TrimStart('.');
        var end = field.IndexOfAny(['.', '[']);
        return end < 0 ? field : field[..end];
    }
}
