using System.ComponentModel;
using System.Text.Json.Serialization;
using CoachService.Llm.Tasks;
using CoachService.Sessions;
using Microsoft.SemanticKernel;

namespace CoachService.Goals;

/// <summary>A goal as the coach's tools show it to the model.</summary>
public sealed record ActiveGoal(
    [property: JsonPropertyName("goal_id")] Guid GoalId,
    [property: JsonPropertyName("goal")] string Goal,
    [property: JsonPropertyName("progress_percentage")] int ProgressPercentage);

/// <summary>What a goal tool tells the model: the goal after the change, or why nothing changed.</summary>
public sealed record GoalToolResult(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("goal")] ActiveGoal? Goal = null,
    [property: JsonPropertyName("error")] string? Error = null);

/// <summary>
/// The coach's tools on the user's goals (plugin <see cref="PluginName"/>). Every call runs as the
/// turn's user, read from the invocation and never from the model's arguments, through
/// <see cref="GoalBook"/> and so under the same row level security as the REST API: another user's
/// goal id is "not found" to the model.
/// </summary>
public sealed class GoalsPlugin(GoalBook goals)
{
    public const string PluginName = "goals";
    public const string RecordProgress = PluginName + ".record_goal_progress";

    [KernelFunction("list_active_goals")]
    [Description("Lists the user's active goals with their goal_id and current progress_percentage (0 to 100).")]
    public async Task<IReadOnlyList<ActiveGoal>> ListActiveGoalsAsync(Kernel kernel, CancellationToken cancellationToken)
    {
        var actor = TaskActor.Of(kernel);
        var active = await goals.ListAsync(actor.UserId, "active", cancellationToken).ConfigureAwait(false);
        return [.. active.Select(g => new ActiveGoal(g.Id, g.GoalText, g.ProgressPercentage))];
    }

    [KernelFunction("record_goal_progress")]
    [Description("Records progress the user just reported on one of their goals by setting the goal's overall progress. "
        + "Use it only when the user clearly says they made progress; get the goal_id and the current progress from list_active_goals first.")]
    public async Task<GoalToolResult> RecordGoalProgressAsync(
        Kernel kernel,
        [Description("The goal_id of the goal, from list_active_goals.")] string goalId,
        [Description("The goal's new overall progress, 0 to 100; 100 completes the goal.")] int progressPercentage,
        CancellationToken cancellationToken)
    {
        var actor = TaskActor.Of(kernel);
        if (!Guid.TryParse(goalId, out var id))
        {
            return await RefuseAsync(actor, $"no goal of the user has the id '{goalId}'", null, progressPercentage).ConfigureAwait(false);
        }

        try
        {
            var (goal, _) = await goals.UpdateAsync(actor.UserId, id, status: null, progressPercentage, cancellationToken).ConfigureAwait(false);
            await actor.RecordAsync(new CoachAction(RecordProgress, GoalId: goal.Id, Goal: goal.GoalText, ProgressPercentage: goal.ProgressPercentage)).ConfigureAwait(false);
            return new GoalToolResult(true, new ActiveGoal(goal.Id, goal.GoalText, goal.ProgressPercentage));
        }
        catch (DomainNotFoundException)
        {
            return await RefuseAsync(actor, $"no goal of the user has the id '{goalId}'", id, progressPercentage).ConfigureAwait(false);
        }
        catch (DomainValidationException e)
        {
            return await RefuseAsync(actor, e.Message, id, progressPercentage).ConfigureAwait(false);
        }
    }

    /// <summary>A refusal is recorded too, so the conversation record shows what the model tried; the model gets the reason.</summary>
    private static async Task<GoalToolResult> RefuseAsync(TaskActor actor, string error, Guid? goalId, int progressPercentage)
    {
        await actor.RecordAsync(CoachAction.Refused(RecordProgress, error, goalId, progressPercentage)).ConfigureAwait(false);
        return new GoalToolResult(false, Error: error);
    }
}
