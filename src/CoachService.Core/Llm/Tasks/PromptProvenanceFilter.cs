using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace CoachService.Llm.Tasks;

/// <summary>
/// Records, for every task the kernel renders, which prompt version and which exact rendered messages
/// (their SHA-256) produced the answer, on the run's <see cref="TaskInvocation"/> where the task
/// results expose them. The hash identifies a request without storing its text.
/// </summary>
internal sealed class PromptProvenanceFilter(ILogger<PromptProvenanceFilter> logger) : IPromptRenderFilter
{
    public async Task OnPromptRenderAsync(PromptRenderContext context, Func<PromptRenderContext, Task> next)
    {
        await next(context).ConfigureAwait(false);
        if (TaskInvocation.Of(context.Kernel) is { } invocation && context.RenderedPrompt is { } rendered)
        {
            invocation.RenderedPromptHash = Hash(rendered);
            invocation.RenderedPromptLength = rendered.Length;
            LlmTaskLog.Rendered(logger, invocation.Task, invocation.PromptVersion, invocation.RenderedPromptHash);
        }
    }

    internal static string Hash(string renderedPrompt) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(renderedPrompt)));
}
