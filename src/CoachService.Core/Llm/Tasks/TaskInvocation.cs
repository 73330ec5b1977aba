using System.Collections.Concurrent;
using CoachService.Sessions;
using Microsoft.SemanticKernel;

namespace CoachService.Llm.Tasks;

/// <summary>
/// One run of a task's kernel function, kept in the invocation's <see cref="Kernel.Data"/>: the
/// prompt's function writes the rendered prompt's hash here, and the coach's plugins read who they act for.
/// </summary>
public sealed class TaskInvocation(string task, string promptVersion, TaskActor? actor)
{
    internal const string DataKey = "coach.invocation";

    private volatile string? _renderedPromptHash;
    private int _renderedPromptLength = -1;

    public string Task { get; } = task;

    public string PromptVersion { get; } = promptVersion;

    /// <summary>The user the task acts for; null when the task may not touch anyone's data.</summary>
    public TaskActor? Actor { get; } = actor;

    /// <summary>SHA-256 (hex) of the rendered messages; set when the prompt has rendered.</summary>
    public string? RenderedPromptHash
    {
        get => _renderedPromptHash;
        internal set => _renderedPromptHash = value;
    }

    /// <summary>Characters of the rendered messages, for an estimate of the input tokens of a request cut short.</summary>
    public int? RenderedPromptLength
    {
        get => Volatile.Read(ref _renderedPromptLength) is var length and >= 0 ? length : null;
        internal set => Volatile.Write(ref _renderedPromptLength, value ?? -1);
    }

    public static TaskInvocation? Of(Kernel kernel) =>
        kernel.Data.TryGetValue(DataKey, out var value) ? value as TaskInvocation : null;
}

/// <summary>
/// The authenticated user a task runs for, and where the actions its tools take are reported. It comes
/// from the turn, never from the model's arguments, so a tool can only touch this user's rows.
/// A <paramref name="held"/> actor (a speculative reply's) lets no tool act until it is released.
/// </summary>
public sealed class TaskActor(Guid userId, Func<CoachAction, Task>? onAction = null, bool held = false)
{
    private readonly ConcurrentQueue<CoachAction> _actions = new();
    private readonly TaskCompletionSource? _held = held ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

    public Guid UserId { get; } = userId;

    /// <summary>What the tools did so far, in order.</summary>
    public IReadOnlyList<CoachAction> Actions => [.. _actions];

    /// <summary>The actor of the invocation running on <paramref name="kernel"/>.</summary>
    /// <exception cref="InvalidOperationException">The task runs for no user: its tools may not act.</exception>
    public static TaskActor Of(Kernel kernel) =>
        TaskInvocation.Of(kernel)?.Actor ?? throw new InvalidOperationException("This task runs for no user; the coach's tools cannot act.");

    /// <summary>Lets a held actor's tools act.</summary>
    public void Release() => _held?.TrySetResult();

    /// <summary>Completes when the tools may act: at once, or for a held actor once it is released.</summary>
    public Task MayActAsync(CancellationToken cancellationToken) =>
        _held is null ? Task.CompletedTask : _held.Task.WaitAsync(cancellationToken);

    public async Task RecordAsync(CoachAction action)
    {
        _actions.Enqueue(action);
        if (onAction is not null)
        {
            await onAction(action).ConfigureAwait(false);
        }
    }
}
