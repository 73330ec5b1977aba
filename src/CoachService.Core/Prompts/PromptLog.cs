using Microsoft.Extensions.Logging;

namespace CoachService.Prompts;

internal static partial class PromptLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Loaded {Count} prompts from {Directory}")]
    public static partial void Loaded(ILogger logger, int count, string directory);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Watching {Directory} for prompt edits")]
    public static partial void Watching(ILogger logger, string directory);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Reloaded prompt {Prompt}: version {OldVersion} -> {NewVersion}")]
    public static partial void Reloaded(ILogger logger, string prompt, string oldVersion, string newVersion);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Rejected an edit of a prompt file, keeping the last good version: {Error}")]
    public static partial void ReloadRejected(ILogger logger, PromptFileError error);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Prompt file {File} is missing; keeping the last good version")]
    public static partial void FileMissing(ILogger logger, string file);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Could not read prompt file {File}; will retry")]
    public static partial void ReadFailed(ILogger logger, string file, Exception exception);
}
