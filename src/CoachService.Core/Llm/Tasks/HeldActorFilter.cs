using Microsoft.SemanticKernel;

namespace CoachService.Llm.Tasks;

/// <summary>
/// A plugin function (a coach tool) runs only once its run's <see cref="TaskActor"/> may act: a reply
/// generated speculatively, before the user's turn exists, changes nobody's data until a turn adopts it.
/// Prompt functions themselves (no plugin) pass straight through.
/// </summary>
internal sealed class HeldActorFilter : IFunctionInvocationFilter
{
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        if (context.Function.PluginName is not null && TaskInvocation.Of(context.Kernel)?.Actor is { } actor)
        {
            await actor.MayActAsync(context.CancellationToken).ConfigureAwait(false);
        }

        await next(context).ConfigureAwait(false);
    }
}
