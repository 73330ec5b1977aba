using CoachService.Llm.Tasks;
using Microsoft.Extensions.AI;

namespace CoachService.Llm;

/// <summary>Reads the coach-specific request tags the task runner puts in ChatOptions.AdditionalProperties.</summary>
internal static class LlmRequestInfo
{
    public const string UntaggedTask = "untagged";

    public static string? Task(ChatOptions? options) => Read(options, CoachChatOptionKeys.Task);

    public static string? PromptVersion(ChatOptions? options) => Read(options, CoachChatOptionKeys.PromptVersion);

    public static string TaskOrUntagged(ChatOptions? options) => Task(options) ?? UntaggedTask;

    private static string? Read(ChatOptions? options, string key)
        => options?.AdditionalProperties?.TryGetValue(key, out var value) == true ? value?.ToString() : null;
}
