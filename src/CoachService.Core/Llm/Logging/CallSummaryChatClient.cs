using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CoachService.Llm.Logging;

/// <summary>
/// One line per LLM call: start at Debug, end at Information with the coach task, model, duration,
/// tokens and finish reason, failure at Warning. Microsoft.Extensions.AI's own logging (UseLogging,
/// next in the pipeline) has none of these; it logs the message text, at Trace only. This class never
/// logs message text.
/// </summary>
public sealed class CallSummaryChatClient(IChatClient innerClient, ILogger<CallSummaryChatClient> logger, TimeProvider timeProvider)
    : DelegatingChatClient(innerClient)
{
    private readonly string _defaultModel = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown";

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (task, model, started) = Start(options, streaming: false);
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Finish(task, response.ModelId ?? model, started, response.Usage, response.FinishReason);
            return response;
        }
        catch (Exception ex)
        {
            Fail(task, model, started, ex, cancellationToken);
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (task, model, started) = Start(options, streaming: true);
        UsageDetails? usage = null;
        ChatFinishReason? finishReason = null;
        string? responseModel = null;

        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (Exception ex)
            {
                Fail(task, responseModel ?? model, started, ex, cancellationToken);
                throw;
            }

            var update = updates.Current;
            responseModel ??= update.ModelId;
            finishReason = update.FinishReason ?? finishReason;
            usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
            yield return update;
        }

        Finish(task, responseModel ?? model, started, usage, finishReason);
    }

    private (string Task, string Model, long Started) Start(ChatOptions? options, bool streaming)
    {
        var task = LlmRequestInfo.TaskOrUntagged(options);
        var model = options?.ModelId ?? _defaultModel;
        LlmLog.CallStarted(logger, task, model, streaming);
        return (task, model, timeProvider.GetTimestamp());
    }

    private void Finish(string task, string model, long started, UsageDetails? usage, ChatFinishReason? finishReason) =>
        LlmLog.CallFinished(
            logger, task, model, Elapsed(started), usage?.InputTokenCount, usage?.OutputTokenCount, finishReason?.Value ?? "none");

    private void Fail(string task, string model, long started, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            LlmLog.CallCancelled(logger, task, model, Elapsed(started));
        }
        else
        {
            LlmLog.CallFailed(logger, task, model, Elapsed(started), exception.GetType().Name, exception);
        }
    }

    private long Elapsed(long started) => (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;
}
