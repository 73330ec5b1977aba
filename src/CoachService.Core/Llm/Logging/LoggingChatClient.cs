using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CoachService.Llm.Logging;

/// <summary>
/// Logs each LLM call: start at Debug, end at Information with task, model, duration, tokens and
/// finish reason. Prompts and replies are personal: their text is logged only at Trace.
/// </summary>
public sealed class LoggingChatClient(IChatClient innerClient, ILogger<LoggingChatClient> logger, TimeProvider timeProvider)
    : DelegatingChatClient(innerClient)
{
    private readonly string _defaultModel = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId ?? "unknown";

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var messageList = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        var (task, model, started) = Start(messageList, options, streaming: false);
        try
        {
            var response = await base.GetResponseAsync(messageList, options, cancellationToken).ConfigureAwait(false);
            Finish(task, response.ModelId ?? model, started, response.Usage, response.FinishReason, response.Text);
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
        var messageList = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        var (task, model, started) = Start(messageList, options, streaming: true);
        var traceText = logger.IsEnabled(LogLevel.Trace) ? new StringBuilder() : null;
        UsageDetails? usage = null;
        ChatFinishReason? finishReason = null;
        string? responseModel = null;

        await using var updates = base.GetStreamingResponseAsync(messageList, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
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
            traceText?.Append(update.Text);
            yield return update;
        }

        Finish(task, responseModel ?? model, started, usage, finishReason, traceText?.ToString());
    }

    private (string Task, string Model, long Started) Start(IReadOnlyCollection<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        var task = LlmRequestInfo.TaskOrUntagged(options);
        var model = options?.ModelId ?? _defaultModel;
        LlmLog.CallStarted(logger, task, model, streaming);
        if (logger.IsEnabled(LogLevel.Trace))
        {
            LlmLog.RequestText(logger, task, string.Join(" | ", messages.Select(m => $"{m.Role}: {m.Text}")));
        }

        return (task, model, timeProvider.GetTimestamp());
    }

    private void Finish(string task, string model, long started, UsageDetails? usage, ChatFinishReason? finishReason, string? text)
    {
        LlmLog.CallFinished(
            logger, task, model, Elapsed(started), usage?.InputTokenCount, usage?.OutputTokenCount, finishReason?.Value ?? "none");
        if (text is not null && logger.IsEnabled(LogLevel.Trace))
        {
            LlmLog.ResponseText(logger, task, text);
        }
    }

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
