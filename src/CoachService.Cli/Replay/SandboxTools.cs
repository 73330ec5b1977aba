using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CoachService.Cli.Recordings;
using CoachService.Goals;
using CoachService.Wellbeing;
using Microsoft.SemanticKernel;

namespace CoachService.Cli.Replay;

/// <summary>
/// The coach's tools during a replay. The model is offered the very plugins production offers (same
/// names, descriptions and parameters), but this filter answers each call from the recording instead of
/// running it: a replay never writes to anyone's data. The calls are collected as the turn's tool calls.
/// </summary>
public sealed class SandboxTools : IFunctionInvocationFilter
{
    private static readonly string[] Plugins = [GoalsPlugin.PluginName, MoodPlugin.PluginName];
    private readonly AsyncLocal<TurnTools?> _current = new();

    /// <summary>Starts collecting the tool calls of one reply, answered from <paramref name="goals"/>.</summary>
    public TurnTools Begin(IReadOnlyList<string> goals)
    {
        var tools = new TurnTools(goals);
        _current.Value = tools;
        return tools;
    }

    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        if (!Plugins.Contains(context.Function.PluginName))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var tools = _current.Value ?? throw new InvalidOperationException("A tool was called outside a replayed reply.");
        context.Result = new FunctionResult(context.Function, tools.Answer(context.Function.PluginName!, context.Function.Name, context.Arguments));
    }

    /// <summary>The sandboxed tools of one reply: the user's goals as the recording has them, and the calls made.</summary>
    public sealed class TurnTools(IReadOnlyList<string> goals)
    {
        private readonly List<RecordedToolCall> _calls = [];
        private readonly List<ActiveGoal> _goals = [.. goals.Select(g => new ActiveGoal(IdOf(g), g, 0))];

        public IReadOnlyList<RecordedToolCall> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        internal object Answer(string plugin, string function, KernelArguments arguments)
        {
            var name = $"{plugin}.{function}";
            lock (_calls)
            {
                _calls.Add(new RecordedToolCall(name, JsonSerializer.SerializeToElement(arguments.ToDictionary(a => a.Key, a => a.Value?.ToString()))));
            }

            switch (name)
            {
                case GoalsPlugin.RecordProgress:
                    var goal = _goals.FirstOrDefault(g => g.GoalId.ToString() == arguments.GetValueOrDefault("goalId")?.ToString());
                    var progress = int.TryParse(arguments.GetValueOrDefault("progressPercentage")?.ToString(), out var p) ? Math.Clamp(p, 0, 100) : 0;
                    return goal is null
                        ? new GoalToolResult(false, Error: "no goal of the user has that id")
                        : new GoalToolResult(true, goal with { ProgressPercentage = progress });
                case MoodPlugin.LogMood:
                    return new MoodToolResult(true, arguments.GetValueOrDefault("mood")?.ToString(),
                        int.TryParse(arguments.GetValueOrDefault("intensity")?.ToString(), out var i) ? i : null);
                default:
                    return _goals; // list_active_goals
            }
        }

        /// <summary>A goal's id from its text, so the same recording offers the model the same ids (and the cache the same request).</summary>
        private static Guid IdOf(string goal) => new(SHA256.HashData(Encoding.UTF8.GetBytes(goal)).AsSpan(0, 16));
    }
}
