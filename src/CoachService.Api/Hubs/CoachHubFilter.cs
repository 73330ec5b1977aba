using Microsoft.AspNetCore.SignalR;

namespace CoachService.Api.Hubs;

/// <summary>
/// Policy for every hub call: domain errors become <see cref="HubException"/>s whose message tells the
/// client what was wrong, prefixed with a stable code (not_found, invalid_argument, conflict,
/// invalid_state, rate_limited, unavailable). An expected refusal is logged once, at Information and
/// without a stack trace; anything else once, at Error. (SignalR's own dispatcher would log every
/// exception again at Error with its stack trace: its category is silenced in <see cref="HubServiceCollectionExtensions"/>.)
/// </summary>
public sealed partial class CoachHubFilter(ILogger<CoachHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocation.HubMethodName;
        try
        {
            return await next(invocation);
        }
        catch (Exception e) when (Translate(e) is { } message)
        {
            LogRefused(logger, method, message.Split(':')[0]);
            throw new HubException(message);
        }
        catch (OperationCanceledException) when (invocation.Context.ConnectionAborted.IsCancellationRequested)
        {
            throw; // the client went away; nobody is waiting for an answer
        }
        catch (Exception e)
        {
            LogFailed(logger, method, e);
            throw;
        }
    }

    private static string? Translate(Exception e) => e switch
    {
        DomainNotFoundException notFound => $"not_found: {notFound.Message}",
        DomainValidationException invalid => $"invalid_argument: {invalid.Field}: {invalid.Message}",
        DomainConflictException conflict => $"conflict: {conflict.Field}: {conflict.Message}",
        DomainStateException state => $"invalid_state: {state.State}: {state.Message}",
        DomainRateLimitedException limited => $"rate_limited: {limited.Message}",
        DataAccessDeniedException => "not_found: no such data for this user",
        Llm.Tasks.IncompleteModelWorkException incomplete => $"unavailable: {incomplete.Message}",
        Llm.Tasks.LlmOutputInvalidException => "unavailable: the model's answer was invalid; try again",
        Llm.LlmException => "unavailable: the model service failed; try again",
        _ when Persistence.DatabaseErrors.IsUnavailable(e) => "unavailable: the database cannot be reached for a moment; try again",
        _ => null,
    };

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Hub call {Method} refused: {Code}")]
    private static partial void LogRefused(ILogger logger, string method, string code);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Hub call {Method} failed")]
    private static partial void LogFailed(ILogger logger, string method, Exception exception);
}
