using Microsoft.Extensions.Logging;

namespace CoachService.Llm;

/// <summary>Log messages of the LLM layer. None carries message text (Microsoft.Extensions.AI logs that, at Trace only).</summary>
internal static partial class LlmLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "LLM provider: {Provider} ({ProviderKind}) at {Endpoint}, model {Model}, authentication {Authentication}")]
    public static partial void ModelProviderSelected(ILogger logger, string provider, string providerKind, string endpoint, string model, string authentication);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "LLM provider: offline heuristic engine (deterministic rules, not a language model); set Llm:Provider to 'openai' or 'azure' to use a model")]
    public static partial void OfflineProviderSelected(ILogger logger);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "LLM recording is on: mode {Mode}, folder {Folder}; answers may come from recordings rather than the model")]
    public static partial void RecordingEnabled(ILogger logger, string mode, string folder);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "LLM call started: task {Task}, model {Model}, streaming {Streaming}")]
    public static partial void CallStarted(ILogger logger, string task, string model, bool streaming);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information,
        Message = "LLM call finished: task {Task}, model {Model}, {DurationMs} ms, {InputTokens} input / {OutputTokens} output tokens, finish reason {FinishReason}")]
    public static partial void CallFinished(ILogger logger, string task, string model, long durationMs, long? inputTokens, long? outputTokens, string finishReason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "LLM call failed: task {Task}, model {Model}, after {DurationMs} ms ({ErrorType})")]
    public static partial void CallFailed(ILogger logger, string task, string model, long durationMs, string errorType, Exception exception);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Debug, Message = "LLM call cancelled by the caller: task {Task}, model {Model}, after {DurationMs} ms")]
    public static partial void CallCancelled(ILogger logger, string task, string model, long durationMs);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning,
        Message = "LLM attempt {Attempt} of task {Task} failed ({Reason}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, int attempt, string task, string reason, long delayMs);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "LLM circuit opened for {BreakSeconds} s after repeated provider failures")]
    public static partial void CircuitOpened(ILogger logger, double breakSeconds);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "LLM circuit closed: the provider answers again")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Information, Message = "LLM circuit half-open: letting one trial call through")]
    public static partial void CircuitHalfOpened(ILogger logger);
}
