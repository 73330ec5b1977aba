using System.Text;
using CoachService.Conversations.Preemptive;
using CoachService.Llm.Tasks;
using CoachService.Prompts;
using Microsoft.Extensions.AI;

namespace CoachService.Conversations;

/// <summary>
/// A reply while it is produced: its text, the sentence-marked pieces sent so far, and the figures it
/// is stored with (model, prompt version, tokens, time to first token and first sentence).
/// </summary>
public sealed class ReplyDraft(ActiveTurn turn, TimeProvider time)
{
    private readonly long started = time.GetTimestamp();
    private readonly StringBuilder text = new();
    private SentenceChunker chunker = new();
    private InstructionLeakWatch? watch;
    private int pieces;
    private int? firstToken;
    private int? firstSentence;
    private long? inputTokens;
    private long? outputTokens;

    /// <summary>text, assessment_question or safety.</summary>
    public string Kind { get; set; } = "text";

    public string? Model { get; set; }

    public string? PromptVersion { get; set; }

    /// <summary>SHA-256 (hex) of the rendered prompt (the task results' <c>RenderedPromptHash</c>).</summary>
    public string? PromptHash { get; set; }

    /// <summary>Acts for the user in the coach's reply; what it did is stored with the reply.</summary>
    public TaskActor? Actor { get; set; }

    /// <summary>Everything of the model's text that was sent so far (after a leak, what was sent before it).</summary>
    public string Text => text.ToString();

    /// <summary>True once the model's text read its instructions back: nothing more of it is sent.</summary>
    public bool Leaked => watch?.Leaked == true;

    /// <summary>Screens the model's text from here on against the instructions it was given.</summary>
    public void Watch(InstructionShingles instructions) => watch = new InstructionLeakWatch(instructions);

    /// <summary>
    /// The model's text ended, or the reply was stopped: the word still open is checked as if the text ended
    /// there (it may complete a shingle, <see cref="Leaked"/>). Nothing is held back, so nothing more is sent.
    /// </summary>
    public void EndOfModelText() => watch?.End();

    /// <summary>Tokens of the speculations this turn threw away, counted apart from the reply's own.</summary>
    public SpeculationWaste Waste { get; private set; } = SpeculationWaste.None;

    public void AddWaste(SpeculationWaste waste) => Waste = Waste.Add(waste);

    /// <summary>The model's finish reason for the reply, once its stream said it.</summary>
    public ChatFinishReason? FinishReason { get; private set; }

    /// <summary>
    /// Drops the text produced so far (it was retracted) and starts again with pieces numbered from 1. The
    /// tokens already spent stay counted.
    /// </summary>
    public void Restart()
    {
        text.Clear();
        chunker = new SentenceChunker();
        watch = null; // what follows is the service's own fixed reply
        pieces = 0;
        firstToken = null;
        firstSentence = null;
        FinishReason = null;
    }

    /// <summary>Adds model text and sends whatever pieces of it are decided.</summary>
    public Task AppendAsync(string delta)
    {
        firstToken ??= Elapsed();
        if (watch is null)
        {
            return Release(delta);
        }

        // What comes before a read-back of the instructions goes; the read-back does not (Leaked).
        var released = watch.Push(delta);
        return released.Length == 0 ? Task.CompletedTask : Release(released);
    }

    private Task Release(string delta)
    {
        text.Append(delta);
        return PublishAsync(chunker.Push(delta));
    }

    /// <summary>Takes the model, usage and text of one streamed update.</summary>
    public async Task AppendAsync(ChatResponseUpdate update)
    {
        Note(update);
        if (!string.IsNullOrEmpty(update.Text))
        {
            await AppendAsync(update.Text);
        }
    }

    /// <summary>Takes the model, finish reason and usage of one streamed update, not its text.</summary>
    public void Note(ChatResponseUpdate update)
    {
        Model ??= update.ModelId;
        FinishReason = update.FinishReason ?? FinishReason;
        foreach (var usage in update.Contents.OfType<UsageContent>())
        {
            inputTokens = (inputTokens ?? 0) + (usage.Details.InputTokenCount ?? 0);
            outputTokens = (outputTokens ?? 0) + (usage.Details.OutputTokenCount ?? 0);
        }
    }

    public void AddUsage(LlmUsage usage)
    {
        inputTokens = (inputTokens ?? 0) + usage.InputTokens;
        outputTokens = (outputTokens ?? 0) + usage.OutputTokens;
    }

    /// <summary>Sends the rest, once the model has finished (<see cref="EndOfModelText"/>).</summary>
    public Task FlushAsync()
    {
        EndOfModelText();
        return PublishAsync(chunker.Flush());
    }

    /// <summary>The record to store: the whole reply, or the part kept of a cut one.</summary>
    public ReplyRecord ToRecord(string content, bool interrupted, string? heard) => new(
        content, Kind, interrupted, heard, Model, PromptVersion, (int?)inputTokens, (int?)outputTokens, firstToken, firstSentence, Elapsed(),
        Actor?.Actions is { Count: > 0 } actions ? actions : null,
        CutOff: !interrupted && FinishReason == ChatFinishReason.Length,
        PromptHash: PromptHash,
        WastedInputTokens: Waste.IsNone ? null : Waste.InputTokens,
        WastedOutputTokens: Waste.IsNone ? null : Waste.OutputTokens);

    private async Task PublishAsync(IEnumerable<TextPiece> ready)
    {
        foreach (var piece in ready)
        {
            await turn.PublishAsync(new ReplyChunk(turn.SessionId, turn.TurnId, ++pieces, piece.Text, piece.EndsSentence));
            if (piece.EndsSentence)
            {
                firstSentence ??= Elapsed();
            }
        }
    }

    private int Elapsed() => (int)time.GetElapsedTime(started).TotalMilliseconds;
}
