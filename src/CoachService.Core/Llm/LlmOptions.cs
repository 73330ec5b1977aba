using System.ComponentModel.DataAnnotations;

namespace CoachService.Llm;

/// <summary>Names accepted by <see cref="LlmOptions.Provider"/>.</summary>
public static class LlmProviders
{
    /// <summary>The built-in heuristic engine: no network, no model.</summary>
    public const string Offline = "offline";

    /// <summary>Any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI v1, Ollama, vLLM, LM Studio).</summary>
    public const string OpenAi = "openai";

    public static IReadOnlyList<string> All { get; } = [Offline, OpenAi];
}

/// <summary>Settings of the LLM layer, section <c>Llm</c>.</summary>
public sealed class LlmOptions : IValidatableObject
{
    public const string SectionName = "Llm";

    /// <summary>"offline" (default) or "openai".</summary>
    public string Provider { get; set; } = LlmProviders.Offline;

    /// <summary>
    /// Base URL of an OpenAI-compatible API, e.g. <c>https://RESOURCE.openai.azure.com/openai/v1/</c> or
    /// <c>http://localhost:11434/v1</c>. Empty means api.openai.com.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>API key; optional for local servers, which get a placeholder.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Model name, or the deployment name on Azure OpenAI.</summary>
    public string? Model { get; set; }

    public LlmResilienceOptions Resilience { get; set; } = new();

    /// <summary>Settings of the offline engine, section <c>Llm:Offline</c>.</summary>
    public Offline.OfflineEngineOptions Offline { get; set; } = new();

    /// <summary>True when <see cref="Provider"/> names the OpenAI-compatible provider.</summary>
    public bool IsOpenAi => string.Equals(Provider, LlmProviders.OpenAi, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        const string s = SectionName;
        if (!LlmProviders.All.Contains(Provider, StringComparer.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"{s}:Provider '{Provider}' is not known; allowed values: {string.Join(", ", LlmProviders.All.Select(p => $"'{p}'"))}.",
                [nameof(Provider)]);
        }

        if (IsOpenAi)
        {
            if (string.IsNullOrWhiteSpace(Model))
            {
                yield return new ValidationResult($"{s}:Model is required when {s}:Provider is 'openai'.", [nameof(Model)]);
            }

            if (!string.IsNullOrWhiteSpace(Endpoint)
                && !(Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            {
                yield return new ValidationResult($"{s}:Endpoint must be an absolute http or https URL (got '{Endpoint}').", [nameof(Endpoint)]);
            }

            // Local servers accept anything, but api.openai.com itself always needs a key.
            if (string.IsNullOrWhiteSpace(Endpoint) && string.IsNullOrWhiteSpace(ApiKey))
            {
                yield return new ValidationResult(
                    $"{s}:ApiKey is required when {s}:Endpoint is empty (api.openai.com); set {s}:Endpoint for a local server.",
                    [nameof(ApiKey)]);
            }
        }

        if (Offline.WordDelay < TimeSpan.Zero || Offline.WordDelay > TimeSpan.FromSeconds(5))
        {
            yield return new ValidationResult($"{s}:Offline:WordDelay must be between 00:00:00 and 00:00:05.", [nameof(Offline)]);
        }

        foreach (var error in Resilience.Validate($"{s}:Resilience"))
        {
            yield return error;
        }
    }
}

/// <summary>Settings of the single retry/timeout layer, section <c>Llm:Resilience</c>.</summary>
public sealed class LlmResilienceOptions
{
    /// <summary>Longest one attempt may take, the whole stream included.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest a streamed attempt may wait for its first update.</summary>
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Budget of a whole call, retries and their delays included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(180);

    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First back-off delay; doubles each retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of any retry delay, server-requested ones included.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of failed calls in <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in <see cref="SamplingDuration"/> before the ratio counts.</summary>
    public int MinimumThroughput { get; set; } = 4;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one trial call is let through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    internal IEnumerable<ValidationResult> Validate(string prefix)
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(AttemptTimeout), AttemptTimeout), (nameof(FirstTokenTimeout), FirstTokenTimeout),
                     (nameof(TotalTimeout), TotalTimeout), (nameof(BaseDelay), BaseDelay), (nameof(MaxDelay), MaxDelay),
                     (nameof(SamplingDuration), SamplingDuration), (nameof(BreakDuration), BreakDuration),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"{prefix}:{name} must be positive (got {value}).", [name]);
            }
        }

        if (FirstTokenTimeout > AttemptTimeout || AttemptTimeout > TotalTimeout)
        {
            yield return new ValidationResult(
                $"{prefix}: FirstTokenTimeout ({FirstTokenTimeout}) <= AttemptTimeout ({AttemptTimeout}) <= TotalTimeout ({TotalTimeout}) must hold.",
                [nameof(AttemptTimeout)]);
        }

        if (MaxRetryAttempts is < 0 or > 10)
        {
            yield return new ValidationResult($"{prefix}:MaxRetryAttempts must be between 0 and 10 (got {MaxRetryAttempts}).", [nameof(MaxRetryAttempts)]);
        }

        if (BaseDelay > MaxDelay)
        {
            yield return new ValidationResult($"{prefix}:BaseDelay ({BaseDelay}) must not exceed {prefix}:MaxDelay ({MaxDelay}).", [nameof(BaseDelay)]);
        }

        if (FailureRatio is <= 0 or > 1)
        {
            yield return new ValidationResult($"{prefix}:FailureRatio must be in (0, 1] (got {FailureRatio}).", [nameof(FailureRatio)]);
        }

        if (MinimumThroughput < 2)
        {
            yield return new ValidationResult($"{prefix}:MinimumThroughput must be at least 2 (got {MinimumThroughput}).", [nameof(MinimumThroughput)]);
        }

        // Polly's circuit breaker rejects shorter windows.
        if (SamplingDuration < TimeSpan.FromMilliseconds(500) || BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            yield return new ValidationResult($"{prefix}:SamplingDuration and {prefix}:BreakDuration must be at least 0.5 s.", [nameof(SamplingDuration)]);
        }
    }
}
