using System.ComponentModel.DataAnnotations;
using CoachService.Llm.OpenAi;
using CoachService.Llm.Recording;

namespace CoachService.Llm;

/// <summary>Names accepted by <see cref="LlmOptions.Provider"/>.</summary>
public static class LlmProviders
{
    /// <summary>The built-in heuristic engine: no network, no model.</summary>
    public const string Offline = "offline";

    /// <summary>Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, LM Studio).</summary>
    public const string OpenAi = "openai";

    /// <summary>Azure OpenAI: a classic deployment endpoint or the v1 endpoint, with an API key or Microsoft Entra ID.</summary>
    public const string Azure = "azure";

    public static IReadOnlyList<string> All { get; } = [Offline, OpenAi, Azure];
}

/// <summary>Settings of the LLM layer, section <c>Llm</c>.</summary>
public sealed class LlmOptions : IValidatableObject
{
    public const string SectionName = "Llm";

    /// <summary>"offline" (default), "openai" or "azure".</summary>
    public string Provider { get; set; } = LlmProviders.Offline;

    /// <summary>
    /// openai: base URL of an OpenAI-compatible API, e.g. <c>http://localhost:11434/v1</c>; empty means api.openai.com.
    /// azure: the resource, <c>https://RESOURCE.openai.azure.com/</c> (classic deployments) or
    /// <c>https://RESOURCE.openai.azure.com/openai/v1/</c> (the v1 API).
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>
    /// API key. openai: optional for local servers, which get a placeholder. azure: sent as the
    /// <c>api-key</c> header; empty signs in with Microsoft Entra ID instead.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Model name, or the deployment name on Azure OpenAI.</summary>
    public string? Model { get; set; }

    /// <summary>
    /// azure classic endpoints only: the <c>api-version</c> query value, e.g. <c>2024-10-21</c>;
    /// empty takes the Azure.AI.OpenAI library's default.
    /// </summary>
    public string? ApiVersion { get; set; }

    public LlmResilienceOptions Resilience { get; set; } = new();

    /// <summary>Recording and replay of model answers, section <c>Llm:Recording</c>; off by default.</summary>
    public LlmRecordingOptions Recording { get; set; } = new();

    /// <summary>Settings of the offline engine, section <c>Llm:Offline</c>.</summary>
    public Offline.OfflineEngineOptions Offline { get; set; } = new();

    /// <summary>True when <see cref="Provider"/> names the OpenAI-compatible provider.</summary>
    public bool IsOpenAi => Is(LlmProviders.OpenAi);

    /// <summary>True when <see cref="Provider"/> names Azure OpenAI.</summary>
    public bool IsAzure => Is(LlmProviders.Azure);

    /// <summary>True for the providers that call a model over the network.</summary>
    public bool UsesModel => IsOpenAi || IsAzure;

    /// <summary>True when <see cref="Endpoint"/> is Azure's v1 API (<c>.../openai/v1/</c>) rather than a resource for classic deployments.</summary>
    public bool IsAzureV1Endpoint =>
        IsAzure && Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri)
        && uri.AbsolutePath.TrimEnd('/').EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        const string s = SectionName;
        if (!LlmProviders.All.Contains(Provider, StringComparer.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"{s}:Provider '{Provider}' is not known; allowed values: {string.Join(", ", LlmProviders.All.Select(p => $"'{p}'"))}.",
                [nameof(Provider)]);
        }

        if (UsesModel && string.IsNullOrWhiteSpace(Model))
        {
            yield return new ValidationResult(
                $"{s}:Model is required when {s}:Provider is '{Provider.ToLowerInvariant()}'" + (IsAzure ? " (the deployment name)." : "."),
                [nameof(Model)]);
        }

        if (UsesModel && !string.IsNullOrWhiteSpace(Endpoint)
            && !(Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"{s}:Endpoint must be an absolute http or https URL (got '{Endpoint}').", [nameof(Endpoint)]);
        }

        // Local servers accept anything, but api.openai.com itself always needs a key.
        if (IsOpenAi && string.IsNullOrWhiteSpace(Endpoint) && string.IsNullOrWhiteSpace(ApiKey))
        {
            yield return new ValidationResult(
                $"{s}:ApiKey is required when {s}:Endpoint is empty (api.openai.com); set {s}:Endpoint for a local server.",
                [nameof(ApiKey)]);
        }

        foreach (var error in ValidateAzure(s))
        {
            yield return error;
        }

        if (Offline.WordDelay < TimeSpan.Zero || Offline.WordDelay > TimeSpan.FromSeconds(5))
        {
            yield return new ValidationResult($"{s}:Offline:WordDelay must be between 00:00:00 and 00:00:05.", [nameof(Offline)]);
        }

        foreach (var error in Resilience.Validate($"{s}:Resilience"))
        {
            yield return error;
        }

        foreach (var error in Recording.Validate($"{s}:Recording"))
        {
            yield return error;
        }
    }

    private IEnumerable<ValidationResult> ValidateAzure(string s)
    {
        if (!IsAzure)
        {
            if (!string.IsNullOrWhiteSpace(ApiVersion))
            {
                yield return new ValidationResult($"{s}:ApiVersion applies only when {s}:Provider is 'azure'; remove it.", [nameof(ApiVersion)]);
            }

            yield break;
        }

        if (string.IsNullOrWhiteSpace(Endpoint))
        {
            yield return new ValidationResult(
                $"{s}:Endpoint is required when {s}:Provider is 'azure': https://RESOURCE.openai.azure.com/ or https://RESOURCE.openai.azure.com/openai/v1/.",
                [nameof(Endpoint)]);
            yield break;
        }

        if (Endpoint.Contains("/openai/deployments", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"{s}:Endpoint must be the resource (https://RESOURCE.openai.azure.com/), not a deployment URL; put the deployment name in {s}:Model.",
                [nameof(Endpoint)]);
        }

        // System.ClientModel refuses to send a bearer token over http; say so at start-up, not at the first call.
        if (IsAzureV1Endpoint && string.IsNullOrWhiteSpace(ApiKey) && !Endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"{s}:Endpoint must be https to sign in with Microsoft Entra ID at the v1 endpoint (the token is never sent over http); or set {s}:ApiKey.",
                [nameof(Endpoint)]);
        }

        if (string.IsNullOrWhiteSpace(ApiVersion))
        {
            yield break;
        }

        if (IsAzureV1Endpoint)
        {
            yield return new ValidationResult(
                $"{s}:ApiVersion does not apply to the v1 endpoint (.../openai/v1/), which has no api-version; remove it.", [nameof(ApiVersion)]);
        }
        else if (AzureApiVersions.Find(ApiVersion) is null)
        {
            yield return new ValidationResult(
                $"{s}:ApiVersion '{ApiVersion}' is not one the Azure OpenAI client knows; allowed values: {string.Join(", ", AzureApiVersions.Labels.Select(v => $"'{v}'"))}.",
                [nameof(ApiVersion)]);
        }
    }

    private bool Is(string provider) => string.Equals(Provider, provider, StringComparison.OrdinalIgnoreCase);
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

/// <summary>
/// Settings of the recording layer, section <c>Llm:Recording</c>: record the model's answers to files,
/// or answer from them without calling the provider (tests, demos, the prompt-replay tool).
/// </summary>
public sealed class LlmRecordingOptions
{
    /// <summary>Names accepted by <see cref="Mode"/>.</summary>
    public static IReadOnlyList<string> Modes { get; } = ["off", "record", "replay", "cache"];

    /// <summary>
    /// <c>off</c> (default), <c>record</c> (call the provider and save every answer), <c>replay</c>
    /// (answer only from recordings; a missing one fails the call) or <c>cache</c> (a recording when
    /// there is one, else call the provider and save the answer).
    /// </summary>
    public string Mode { get; set; } = "off";

    /// <summary>Folder of the recordings, one JSON file per request; relative to the working directory.</summary>
    public string? Path { get; set; }

    /// <summary>The layer's mode, or null when recording is off.</summary>
    public ChatRecordingMode? RecordingMode => Mode.ToLowerInvariant() switch
    {
        "record" => ChatRecordingMode.Record,
        "replay" => ChatRecordingMode.Replay,
        "cache" => ChatRecordingMode.CacheFirst,
        _ => null,
    };

    internal IEnumerable<ValidationResult> Validate(string prefix)
    {
        if (!Modes.Contains(Mode, StringComparer.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"{prefix}:Mode '{Mode}' is not known; allowed values: {string.Join(", ", Modes.Select(m => $"'{m}'"))}.", [nameof(Mode)]);
        }
        else if (RecordingMode is not null && string.IsNullOrWhiteSpace(Path))
        {
            yield return new ValidationResult($"{prefix}:Path is required when {prefix}:Mode is '{Mode.ToLowerInvariant()}' (the folder of the recordings).", [nameof(Path)]);
        }
    }
}
