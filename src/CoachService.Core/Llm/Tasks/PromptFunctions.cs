using System.Runtime.CompilerServices;
using CoachService.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace CoachService.Llm.Tasks;

/// <summary>
/// Each prompt file as a <see cref="KernelFunction"/>. A function belongs to one version of its prompt: when the
/// <see cref="PromptLibrary"/> reloads an edited file, the next call builds the new version's function.
/// </summary>
/// <remarks>
/// The function renders the prompt's messages and hands them to the kernel's chat client as messages. SK's prompt
/// functions take a prompt as text and parse it back into messages (its <c>&lt;message&gt;</c> XML), a fifth of
/// what the service allocated at load for the reply and every structured task
/// (docs/decisions/prompt-file-format.md); the kernel's function filters, plugins and automatic function
/// calling apply the same to these functions.
/// </remarks>
public sealed class PromptFunctions(PromptLibrary library, ILoggerFactory loggerFactory)
{
    private readonly ConditionalWeakTable<PromptTemplate, KernelFunction> _functions = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<PromptFunctions>();

    /// <summary>The current prompt of <paramref name="task"/> and its function.</summary>
    /// <exception cref="ArgumentException">No prompt has that name.</exception>
    public (PromptTemplate Prompt, KernelFunction Function) Get(string task)
    {
        var prompt = library.Get(task);
        return (prompt, _functions.GetValue(prompt, Create));
    }

    private KernelFunction Create(PromptTemplate prompt)
    {
        var body = new PromptFunction(prompt, _logger);
        var options = new KernelFunctionFromMethodOptions
        {
            FunctionName = prompt.Name,
            Description = prompt.Description,
            Parameters = prompt.Inputs.Values
                .Select(input => new KernelParameterMetadata(input.Name) { Description = input.Description, IsRequired = true })
                .ToList(),
            LoggerFactory = loggerFactory,
        };
        return prompt.IsStructured
            ? KernelFunctionFactory.CreateFromMethod(body.RespondAsync, options)
            : KernelFunctionFactory.CreateFromMethod(body.StreamAsync, options);
    }
}

/// <summary>
/// The body of one prompt version's function: the prompt rendered with the call's arguments, its provenance
/// recorded on the run's <see cref="TaskInvocation"/>, and the messages sent through the kernel's chat client
/// with the call's <see cref="CoachPromptSettings"/>.
/// </summary>
internal sealed class PromptFunction(PromptTemplate prompt, ILogger logger)
{
    /// <summary>A text task's reply as it streams; nothing is rendered before the first update is asked for.</summary>
    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        Kernel kernel, KernelArguments arguments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (messages, options) = Render(kernel, arguments);
        await foreach (var update in kernel.GetRequiredService<IChatClient>()
            .GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>A structured task's whole response.</summary>
    public Task<ChatResponse> RespondAsync(Kernel kernel, KernelArguments arguments, CancellationToken cancellationToken)
    {
        var (messages, options) = Render(kernel, arguments);
        return kernel.GetRequiredService<IChatClient>().GetResponseAsync(messages, options, cancellationToken);
    }

    private (List<ChatMessage> Messages, ChatOptions Options) Render(Kernel kernel, KernelArguments arguments)
    {
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        IReadOnlyList<ChatMessage>? history = null;
        foreach (var (name, value) in arguments)
        {
            if (name == prompt.HistoryInput)
            {
                history = value as IReadOnlyList<ChatMessage>
                    ?? throw new ArgumentException($"Input '{name}' of prompt '{prompt.Name}' must be a list of chat messages.", nameof(arguments));
            }
            else
            {
                inputs[name] = value;
            }
        }

        var rendered = prompt.Render(inputs, history);
        if (TaskInvocation.Of(kernel) is { } invocation)
        {
            var (hash, length) = RenderedPrompt.Hash(rendered);
            invocation.RenderedPromptHash = hash;
            invocation.RenderedPromptLength = length;
            LlmTaskLog.Rendered(logger, invocation.Task, invocation.PromptVersion, hash);
        }

        // The caller's settings (LlmTaskRunner's), else those of a plain call: the prompt's parameters, no tools.
        var settings = arguments.ExecutionSettings?.Values.OfType<CoachPromptSettings>().FirstOrDefault()
            ?? CoachPromptSettings.For(prompt, inputs, offerTools: false);
        return (RenderedPrompt.ForModel(rendered), settings.ToChatOptions(kernel));
    }
}
