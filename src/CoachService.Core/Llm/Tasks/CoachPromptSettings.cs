using System.Text.Json.Serialization;
using CoachService.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace CoachService.Llm.Tasks;

/// <summary>
/// The execution settings of one task run. The prompt file's model parameters travel in
/// <see cref="PromptExecutionSettings.ExtensionData"/> under the keys SK maps to <see cref="ChatOptions"/>
/// (temperature, max_tokens, top_p, frequency_penalty, presence_penalty, seed, stop_sequences). What SK's
/// mapping cannot carry is added in <see cref="PrepareChatOptionsForRequest"/>: a named JSON schema (SK
/// would drop the name) and our <see cref="CoachChatOptionKeys"/> with the inputs by reference.
/// </summary>
internal sealed class CoachPromptSettings(PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs) : PromptExecutionSettings
{
    [JsonIgnore]
    public PromptTemplate Prompt { get; } = prompt;

    [JsonIgnore]
    public IReadOnlyDictionary<string, object?> Inputs { get; } = inputs;

    public static CoachPromptSettings For(PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, bool offerTools) => new(prompt, inputs)
    {
        ExtensionData = ModelParameters(prompt.Parameters),
        // Tools only where the model may act; every other task gets none offered.
        FunctionChoiceBehavior = offerTools ? FunctionChoiceBehavior.Auto() : null,
    };

    /// <summary>The prompt file's parameters under SK's names (our file says <c>stop</c>, SK <c>stop_sequences</c>).</summary>
    public static Dictionary<string, object> ModelParameters(PromptModelParameters parameters)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        Add("temperature", parameters.Temperature);
        Add("max_tokens", parameters.MaxTokens);
        Add("top_p", parameters.TopP);
        Add("frequency_penalty", parameters.FrequencyPenalty);
        Add("presence_penalty", parameters.PresencePenalty);
        Add("seed", parameters.Seed);
        Add("stop_sequences", parameters.Stop?.ToList());
        return data;

        void Add(string key, object? value)
        {
            if (value is not null)
            {
                data[key] = value;
            }
        }
    }

    protected override void PrepareChatOptionsForRequest(ChatOptions options)
    {
        // SK round-trips derived settings through JSON, which would turn the inputs into a JsonElement:
        // the offline engine and the recording decorator get the caller's dictionary itself.
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[CoachChatOptionKeys.Task] = Prompt.Name;
        options.AdditionalProperties[CoachChatOptionKeys.Inputs] = Inputs;
        options.AdditionalProperties[CoachChatOptionKeys.PromptVersion] = Prompt.Version;
        if (Prompt.OutputSchema is { } schema)
        {
            options.ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, schemaName: Prompt.Name, schemaDescription: Prompt.Description);
        }
    }

    public override PromptExecutionSettings Clone() => new CoachPromptSettings(Prompt, Inputs)
    {
        ModelId = ModelId,
        ServiceId = ServiceId,
        ExtensionData = ExtensionData is null ? null : new Dictionary<string, object>(ExtensionData),
        FunctionChoiceBehavior = FunctionChoiceBehavior,
    };
}
