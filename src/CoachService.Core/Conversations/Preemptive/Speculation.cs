using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CoachService.Llm.Tasks;
using CoachService.Sessions;
using Microsoft.Extensions.AI;

namespace CoachService.Conversations.Preemptive;

/// <summary>Tokens of speculations that were thrown away: the provider's figures when it reported them, else estimates.</summary>
public sealed record SpeculationWaste(int InputTokens, int OutputTokens)
{
    public static readonly SpeculationWaste None = new(0, 0);

    public bool IsNone => InputTokens == 0 && OutputTokens == 0;

    public SpeculationWaste Add(SpeculationWaste other) => new(InputTokens + other.InputTokens, OutputTokens + other.OutputTokens);
}

/// <summary>
/// A reply started from a stable partial transcript. Its model updates are read as they come and kept,
/// nothing is stored or sent, and the coach's tools are held (<see cref="TaskActor"/>) until a final
/// transcript with the same words adopts it: the kept updates are then handed over at once and the rest
/// follows as it streams. Discarding it cancels the model request.
/// </summary>
public sealed class Speculation
{
    private readonly Channel<ChatResponseUpdate> updates = Channel.CreateUnbounded<ChatResponseUpdate>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    // Never disposed: a late cancel after the speculation ended must stay harmless.
    private readonly CancellationTokenSource stop = new();
    private readonly object gate = new();
    private Func<CoachAction, Task>? publishAction;
    private TextTaskStream? stream;
    private Task<string> pump = Task.FromResult("not started");
    private int characters;
    private long? reportedInput;
    private long? reportedOutput;
    private bool adopted;
    private bool failed;

    public Speculation(Guid userId, string key, string text, string task, int userSequence)
    {
        Key = key;
        Text = text;
        TaskName = task;
        UserSequence = userSequence;
        // The coach's tools act only for a turn that exists: a speculation's tool call waits for its adoption.
        Actor = task == CoachTask.CoachReply
            ? new TaskActor(userId, action => publishAction?.Invoke(action) ?? Task.CompletedTask, held: true)
            : null;
    }

    /// <summary>The speculated words (<see cref="SpokenText.Key"/>).</summary>
    public string Key { get; }

    /// <summary>The partial transcript the reply was started for.</summary>
    public string Text { get; }

    /// <summary>The text task it runs (<see cref="CoachTask.CoachReply"/> or <see cref="CoachTask.AssessmentQuestion"/>).</summary>
    public string TaskName { get; }

    /// <summary>The sequence the user's message would have; a final stored at another one cannot adopt it.</summary>
    public int UserSequence { get; }

    public TaskActor? Actor { get; }

    public CancellationToken Stopping => stop.Token;

    /// <summary>Whether it reached the token cap before being adopted (it was stopped).</summary>
    public bool Capped { get; private set; }

    /// <summary>Still producing or complete, and neither failed, capped nor discarded: a final may adopt it.</summary>
    public bool IsUsable
    {
        get
        {
            lock (gate)
            {
                return !failed && !Capped && !stop.IsCancellationRequested && !adopted;
            }
        }
    }

    /// <summary>How its model stream ended: "complete", "capped", "stopped" or "failed".</summary>
    public Task<string> Ended => pump;

    /// <summary>Starts reading the model's reply; stops it once it reaches <paramref name="tokenCap"/> unless adopted before.</summary>
    public void Start(TextTaskStream started, int tokenCap)
    {
        stream = started;
        pump = PumpAsync(started, tokenCap);
    }

    /// <summary>
    /// Makes it the reply of <paramref name="turn"/>: the stream a fresh turn would get, beginning with what
    /// was produced so far. Cancelling the reader's token cancels the model request.
    /// </summary>
    public TextTaskStream Adopt(Func<CoachAction, Task> onAction)
    {
        lock (gate)
        {
            adopted = true;
        }

        publishAction = onAction;
        Actor?.Release();
        return stream! with { Updates = ReadAsync() };
    }

    /// <summary>Cancels the model request (if it still runs) and returns the tokens it cost.</summary>
    public async Task<SpeculationWaste> DiscardAsync()
    {
        await stop.CancelAsync();
        await pump; // never throws: the pump keeps its failure
        var rendered = stream?.Invocation.RenderedPromptLength;
        return new SpeculationWaste(
            (int)(reportedInput ?? (rendered is { } length ? Estimate(length) : 0)),
            (int)(reportedOutput ?? Estimate(characters)));
    }

    /// <summary>About four characters a token.</summary>
    private static long Estimate(int characters) => (characters + 3) / 4;

    private async Task<string> PumpAsync(TextTaskStream started, int tokenCap)
    {
        await Task.Yield();
        try
        {
            await foreach (var update in started.Updates.WithCancellation(stop.Token))
            {
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    reportedInput = (reportedInput ?? 0) + (usage.Details.InputTokenCount ?? 0);
                    reportedOutput = (reportedOutput ?? 0) + (usage.Details.OutputTokenCount ?? 0);
                }

                characters += update.Text?.Length ?? 0;
                updates.Writer.TryWrite(update);
                lock (gate)
                {
                    if (!adopted && Estimate(characters) >= tokenCap)
                    {
                        Capped = true;
                        stop.Cancel();
                    }
                }
            }

            updates.Writer.TryComplete();
            return "complete";
        }
        catch (Exception e)
        {
            lock (gate)
            {
                failed = !adopted;
            }

            // An adopted reply fails (or is stopped) like any other; a failed speculation is only discarded.
            updates.Writer.TryComplete(e);
            return Capped ? "capped" : e is OperationCanceledException ? "stopped" : "failed";
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Barge-in, a retraction or a disconnect stops the adopted reply's model request, as for a fresh one.
        await using var registration = cancellationToken.Register(stop.Cancel);
        await foreach (var update in updates.Reader.ReadAllAsync(cancellationToken))
        {
            yield return update;
        }
    }
}
