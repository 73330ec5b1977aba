using System.Runtime.CompilerServices;
using CoachService.Prompts;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace CoachService.Llm.Tasks;

/// <summary>
/// Each prompt file as a <see cref="KernelFunction"/>, created from the file through
/// <see cref="PromptyTemplateFactory"/>. A function belongs to one version of its prompt: when the
/// <see cref="PromptLibrary"/> reloads an edited file, the next call builds the new version's function.
/// </summary>
public sealed class PromptFunctions(PromptLibrary library, ILoggerFactory loggerFactory)
{
    private static readonly PromptyTemplateFactory Factory = new();
    private readonly ConditionalWeakTable<PromptTemplate, KernelFunction> _functions = new();

    /// <summary>The current prompt of <paramref name="task"/> and its function.</summary>
    /// <exception cref="ArgumentException">No prompt has that name.</exception>
    public (PromptTemplate Prompt, KernelFunction Function) Get(string task)
    {
        var prompt = library.Get(task);
        return (prompt, _functions.GetValue(prompt, Create));
    }

    private KernelFunction Create(PromptTemplate prompt)
    {
        var config = new PromptTemplateConfig
        {
            Name = prompt.Name,
            Description = prompt.Description,
            Template = prompt.Source,
            TemplateFormat = PromptyTemplateFactory.Format,
            InputVariables = prompt.Inputs.Values
                .Select(input => new InputVariable { Name = input.Name, Description = input.Description, IsRequired = true })
                .ToList(),
        };
        config.AddExecutionSettings(new PromptExecutionSettings { ExtensionData = CoachPromptSettings.ModelParameters(prompt.Parameters) });
        return KernelFunctionFactory.CreateFromPrompt(config, Factory, loggerFactory);
    }
}
