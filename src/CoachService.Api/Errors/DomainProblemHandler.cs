using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace CoachService.Api.Errors;

/// <summary>
/// Turns the domain's exceptions, and requests that could not be read, into RFC 7807 problem
/// documents. Only messages the domain writes for users are shown (they name the field); the text
/// of any other exception, and every stack trace, stays out of the response.
/// </summary>
internal sealed partial class DomainProblemHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            DomainValidationException e => ApiProblems.Invalid(e.Errors),
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
            // A database restart or failover: the client may try again shortly, and nothing about the
            // database reaches it.
            _ when Persistence.DatabaseErrors.IsUnavailable(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service Unavailable",
                Detail = "The service cannot reach its database for a moment; try again shortly.",
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>
    /// Bad JSON or a value of the wrong type: named by its JSON path when there is one, or as the query
    /// or route parameter that could not be bound (?page=99999999999 does not fit an int).
    /// </summary>
    private static ProblemDetails Unreadable(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status400BadRequest
            && exception.InnerException is JsonException { Path: { } path } json
            && FieldOf(path) is { Length: > 0 } field)
        {
            return ApiProblems.Invalid(field, json is NulCharacterException
                ? $"{field} must not contain NUL characters (U+0000)"
                : $"{field} is not valid JSON or not of the expected type");
        }

        // Minimal APIs say which parameter failed only in the message ("Failed to bind parameter
        // "int page" from "…"."); a test pins the form, and anything else falls through to the
        // generic answer. The value itself is not repeated.
        if (exception.StatusCode == StatusCodes.Status400BadRequest
            && ParameterBindingFailure().Match(exception.Message) is { Success: true } failure)
        {
            var parameter = failure.Groups["name"].Value;
            return ApiProblems.Invalid(parameter, $"{parameter} must be {Expected(failure.Groups["type"].Value)}");
        }

        return new ProblemDetails
        {
            Status = exception.StatusCode,
            Title = "The request could not be read",
            Detail = "Check that the body is JSON of the documented shape and that query values have the right type.",
        };
    }

    private static string Expected(string type) => type.TrimEnd('?') switch
    {
        "int" or "Int32" => $"a whole number no larger than {int.MaxValue}",
        "long" or "Int64" => $"a whole number no larger than {long.MaxValue}",
        "Guid" => "a UUID",
        "DateOnly" => "a date such as 2026-12-31",
        "bool" or "Boolean" => "true or false",
        var other => $"a valid {other}",
    };

    [GeneratedRegex("""^Failed to bind parameter "(?<type>[^" ]+) (?<name>[^" ]+)" from""")]
    private static partial Regex ParameterBindingFailure();

    /// <summary>$.triggers[0] → triggers; $ → "".</summary>
    private static string FieldOf(string path)
    {
        var field = path.TrimStart('$').TrimStart('.');
        var end = field.IndexOfAny(['.', '[']);
        return end < 0 ? field : field[..end];
    }
}
