using Microsoft.Extensions.Logging;

namespace CoachService.Llm.Tasks;

internal static partial class LlmTaskLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Output of task {Task} (prompt {PromptVersion}) failed validation with {ErrorCount} errors; asking the model to repair it")]
    public static partial void Repairing(ILogger logger, string task, string promptVersion, int errorCount);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "Output of task {Task} (prompt {PromptVersion}) is invalid after the repair attempt: {Errors}")]
    public static partial void RepairFailed(ILogger logger, string task, string promptVersion, string errors);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Task {Task} (prompt {PromptVersion}) stopped with finish reason {FinishReason}")]
    public static partial void Stopped(ILogger logger, string task, string promptVersion, string finishReason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Output of task {Task} (prompt {PromptVersion}) is {Length} characters long, over the {MaxLength} any valid output has; refused without a repair")]
    public static partial void Oversized(ILogger logger, string task, string promptVersion, int length, int maxLength);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "Task {Task} rendered from prompt {PromptVersion}; rendered prompt SHA-256 {RenderedPromptHash}")]
    public static partial void Rendered(ILogger logger, string task, string promptVersion, string renderedPromptHash);

    [LoggerMessage(EventId = 1260, Level = LogLevel.Warning, Message = "Output of task {Task} (prompt {PromptVersion}) reads the prompt's instructions back at {Path}; refused")]
    public static partial void InstructionsReadBack(ILogger logger, string task, string promptVersion, string path);
}
