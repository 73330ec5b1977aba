using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CoachService.Llm.Usage;

/// <summary>
/// Records the tokens of every call, per task and model, to the <see cref="LlmUsageLedger"/> and
/// to the "CoachService.Llm" meter (OpenTelemetry gen_ai names, so a collector can use them as is).
/// </summary>
public sealed class UsageAccountingChatClient : DelegatingChatClient
{
    public const string MeterName = "CoachService.Llm";

    private readonly LlmUsageLedger _ledger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<long> _tokenUsage;
    private readonly Counter<long> _calls;
    private readonly string _defaultModel;

    public UsageAccountingChatClient(IChatClient innerClient, LlmUsageLedger ledger, IMeterFactory? meterFactory = null)
        : base(innerClient)
    {
        _ledger = ledger;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _tokenUsage = _meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens used per LLM call, by gen_ai.token.type (input or output).");
        _calls = _meter.CreateCounter<long>("gen_ai.client.calls", "{call}", "LLM calls that reported usage.");
        _defaultModel = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown";
    }

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        Record(options, response.ModelId, response.Usage);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        UsageDetails? usage = null;
        string? model = null;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                model ??= update.ModelId;
                foreach (var content in update.Contents)
                {
                    // Providers send usage once, in the last update.
                    if (content is UsageContent { Details: { } details })
                    {
                        usage = details;
                    }
                }

                yield return update;
            }
        }
        finally
        {
            // Also when the stream broke or the caller stopped early: tokens spent are spent.
            Record(options, model, usage);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsMeter)
        {
            _meter.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Record(ChatOptions? options, string? responseModel, UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        var task = LlmRequestInfo.TaskOrUntagged(options);
        var model = responseModel ?? options?.ModelId ?? _defaultModel;
        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        _ledger.Record(task, model, input, output);

        var tags = new TagList { { "gen_ai.response.model", model }, { "coach.task", task } };
        _calls.Add(1, tags);
        var inputTags = tags;
        inputTags.Add("gen_ai.token.type", "input");
        _tokenUsage.Record(input, inputTags);
        var outputTags = tags;
        outputTags.Add("gen_ai.token.type", "output");
        _tokenUsage.Record(output, outputTags);
    }
}
