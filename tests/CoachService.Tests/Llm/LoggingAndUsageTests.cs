using System.Diagnostics.Metrics;
using CoachService.Llm.Logging;
using CoachService.Llm.Tasks;
using CoachService.Llm.Usage;
using CoachService.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CoachService.Tests.Llm;

public sealed class LoggingAndUsageTests
{
    private const string Secret = "my brother's illness";
    private const string SecretReply = "caring for him alone";

    private static ScriptedChatClient Model() => new()
    {
        OnResponse = (_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"It sounds hard, {SecretReply}."))
        {
            ModelId = "scripted-model",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 8 },
        }),
    };

    private static async Task<IReadOnlyList<CapturedLog>> LogOneStreamedCallAtAsync(LogLevel level)
    {
        var logs = new CapturingLoggerProvider(level);
        using var factory = logs.CreateFactory();
        using var client = new CoachService.Llm.Logging.LoggingChatClient(Model(), factory.CreateLogger<CoachService.Llm.Logging.LoggingChatClient>(), TimeProvider.System);

        await client.GetStreamingResponseAsync(LlmTestKit.Conversation($"I worry about {Secret}."), LlmTestKit.ForTask(CoachTask.CoachReply)).CollectAsync();
        await client.GetResponseAsync(LlmTestKit.Conversation($"I worry about {Secret}."), LlmTestKit.ForTask(CoachTask.CoachReply)).WithTimeout();
        return logs.Entries;
    }

    [Fact]
    public async Task At_information_level_no_message_text_is_logged()
    {
        var entries = await LogOneStreamedCallAtAsync(LogLevel.Information);

        var finished = entries.Where(e => e.EventId.Id == 1011).ToList();
        Assert.Equal(2, finished.Count);
        Assert.All(finished, e => Assert.Contains("task coach_reply, model scripted-model", e.Message));
        Assert.All(finished, e => Assert.Contains("50 input / 8 output tokens, finish reason stop", e.Message));
        Assert.DoesNotContain(entries, e => e.Message.Contains(Secret) || e.Message.Contains(SecretReply));
    }

    [Fact]
    public async Task At_trace_level_message_text_is_logged()
    {
        var entries = await LogOneStreamedCallAtAsync(LogLevel.Trace);

        Assert.Contains(entries, e => e.Level == LogLevel.Trace && e.Message.Contains(Secret));
        Assert.Contains(entries, e => e.Level == LogLevel.Trace && e.Message.Contains(SecretReply));
    }

    [Fact]
    public async Task Usage_is_counted_per_task_and_model_in_the_ledger_and_the_meter()
    {
        var ledger = new LlmUsageLedger();
        var measured = new List<(long Value, string? TokenType)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == UsageAccountingChatClient.MeterName && instrument.Name == "gen_ai.client.token.usage")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (measured)
            {
                measured.Add((value, tags.ToArray().FirstOrDefault(t => t.Key == "gen_ai.token.type").Value as string));
            }
        });
        listener.Start();
        using var client = new UsageAccountingChatClient(Model(), ledger);

        await client.GetResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.SessionSummary)).WithTimeout();
        await client.GetStreamingResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.SessionSummary)).CollectAsync();
        await client.GetResponseAsync(LlmTestKit.Conversation(), LlmTestKit.ForTask(CoachTask.SafetyScreen)).WithTimeout();

        Assert.Equal(new LlmUsageTotal(CoachTask.SessionSummary, "scripted-model", 2, 100, 16), ledger.Total(CoachTask.SessionSummary, "scripted-model"));
        Assert.Equal(3, ledger.Total().Calls);
        Assert.Equal(2, ledger.Snapshot().Count);
        lock (measured)
        {
            Assert.Contains((50L, "input"), measured);
            Assert.Contains((8L, "output"), measured);
        }
    }
}
