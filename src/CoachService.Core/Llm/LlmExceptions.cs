namespace CoachService.Llm;

// Messages name what happened and never carry message text: they end up in logs.

/// <summary>Base of every failure the LLM layer reports; orchestration code catches this, never a vendor type.</summary>
public abstract class LlmException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The provider failed: an HTTP error status, a network failure or a response we could not read.</summary>
public sealed class LlmProviderException(
    string message,
    int? statusCode = null,
    TimeSpan? retryAfter = null,
    bool isTransient = false,
    Exception? innerException = null) : LlmException(message, innerException)
{
    /// <summary>HTTP status, or null for a network failure or an unreadable response.</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>The delay the provider asked for (Retry-After or retry-after-ms), if any.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True for 429, 5xx and network failures: trying again may succeed.</summary>
    public bool IsTransient { get; } = isTransient;

    /// <summary>The provider's content filter refused the prompt (HTTP 400, error code content_filter).</summary>
    public bool IsContentFilter { get; init; }

    /// <summary>The statuses worth retrying: throttling and the gateway/server family.</summary>
    public static bool IsTransientStatus(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;
}

public enum LlmTimeoutKind
{
    /// <summary>One attempt (request and whole stream) took longer than Llm:Resilience:AttemptTimeout.</summary>
    Attempt,

    /// <summary>A stream's first update did not arrive within Llm:Resilience:FirstTokenTimeout.</summary>
    FirstToken,

    /// <summary>The whole call, retries included, exceeded Llm:Resilience:TotalTimeout.</summary>
    Total,
}

/// <summary>One of our timeouts fired; the caller did not cancel.</summary>
public sealed class LlmTimeoutException(LlmTimeoutKind kind, TimeSpan timeout, Exception? innerException = null)
    : LlmException(Describe(kind, timeout), innerException)
{
    public LlmTimeoutKind Kind { get; } = kind;

    public TimeSpan Timeout { get; } = timeout;

    private static string Describe(LlmTimeoutKind kind, TimeSpan timeout) => kind switch
    {
        LlmTimeoutKind.Attempt => $"The LLM call attempt did not finish within the attempt timeout of {timeout.TotalSeconds:0.###} s.",
        LlmTimeoutKind.FirstToken => $"The LLM stream sent no first update within the first-token timeout of {timeout.TotalSeconds:0.###} s.",
        _ => $"The LLM call, retries included, did not finish within the total timeout of {timeout.TotalSeconds:0.###} s.",
    };
}

/// <summary>
/// The coach cannot answer for now, and waiting within this call would not help: the provider asked
/// for a pause longer than the call may take, or the circuit breaker is open. The call was not retried.
/// </summary>
public class LlmUnavailableException(string message, DateTimeOffset? retryAt, Exception? innerException = null)
    : LlmException(message, innerException)
{
    /// <summary>When trying again may succeed, if known.</summary>
    public DateTimeOffset? RetryAt { get; } = retryAt;
}

/// <summary>The provider asked to wait (Retry-After) longer than what is left of the call's total budget.</summary>
public sealed class LlmRetryAfterBeyondBudgetException(TimeSpan requested, TimeSpan remaining, DateTimeOffset retryAt, LlmProviderException innerException)
    : LlmUnavailableException(
        $"The coach is unavailable for now: the LLM provider asked to wait {requested.TotalSeconds:0.###} s before trying again, "
        + $"longer than the {remaining.TotalSeconds:0.###} s left of this call's total timeout; the call was not retried.",
        retryAt,
        innerException)
{
    /// <summary>The delay the provider asked for.</summary>
    public TimeSpan Requested { get; } = requested;

    /// <summary>What was left of the call's budget when the provider answered.</summary>
    public TimeSpan Remaining { get; } = remaining;
}

/// <summary>The circuit breaker is open after repeated provider failures; the call was not sent.</summary>
public sealed class LlmCircuitOpenException(DateTimeOffset? retryAt, Exception? innerException = null)
    : LlmUnavailableException(
        retryAt is { } at
            ? $"The LLM provider is failing repeatedly; calls are paused until {at:u} (circuit open)."
            : "The LLM provider is failing repeatedly; calls are paused (circuit open).",
        retryAt,
        innerException);

/// <summary>
/// A stream failed after updates had reached the caller. It is never retried (the caller has
/// already shown or spoken part of it) and never passed off as a short success.
/// </summary>
public sealed class LlmStreamInterruptedException(int updatesDelivered, string deliveredText, Exception innerException)
    : LlmException(
        $"The LLM stream broke off after {updatesDelivered} update(s) ({deliveredText.Length} characters) had been delivered: {innerException.Message}",
        innerException)
{
    public int UpdatesDelivered { get; } = updatesDelivered;

    /// <summary>The text already delivered, so the caller can decide what to keep.</summary>
    public string DeliveredText { get; } = deliveredText;
}

/// <summary>Replay mode found no recording for the request.</summary>
public sealed class LlmRecordingNotFoundException(string key, string? task)
    : LlmException(
        $"No recorded LLM response for task '{task ?? "(none)"}' (key {key}); replay mode never calls the provider. Record it first with mode Record or CacheFirst.")
{
    public string Key { get; } = key;

    public string? Task { get; } = task;
}
