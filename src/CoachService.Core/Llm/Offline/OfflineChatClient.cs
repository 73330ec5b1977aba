using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachService.Llm.Tasks;
using CoachService.Safety;
using Microsoft.Extensions.AI;

namespace CoachService.Llm.Offline;

/// <summary>Settings of the offline engine.</summary>
public sealed class OfflineEngineOptions
{
    /// <summary>Pause between streamed words, to behave like a model; zero in tests.</summary>
    public TimeSpan WordDelay { get; set; } = TimeSpan.FromMilliseconds(15);
}

/// <summary>
/// The deterministic, heuristic engine used when no LLM provider is configured, so the
/// service works without a key or a network. It is not a language model: it answers each
/// coach task with lexicons, keyword scoring and templates, and says so in its metadata.
/// Equal requests always get equal answers.
/// </summary>
public sealed partial class OfflineChatClient(OfflineEngineOptions options, TimeProvider? timeProvider = null) : IChatClient
{
    public const string ProviderName = "offline";
    public const string ModelName = "coach-offline-heuristic-1";
    public const string EngineName = "offline-heuristic";

    private readonly TimeProvider clock = timeProvider ?? TimeProvider.System;
    private readonly EmotionDetector emotions = new();
    private readonly LocalCrisisScreen crisis = new();
    private readonly PersonalityScorer personality = new();
    private readonly SmartGoalBuilder goals = new();
    private readonly SessionSummarizer summaries = new();
    private readonly PersonaReplyWriter replies = new();
    private readonly AssessmentQuestionWriter questions = new();
    private readonly ChatClientMetadata metadata = new(ProviderName, providerUri: null, defaultModelId: ModelName);

    public OfflineEngineOptions Options { get; } = options;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var messageList = messages.ToList();
        var request = OfflineRequest.From(messageList, options);
        var step = ToolStep(request, messageList, options);
        if (step?.Call is { } call)
        {
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call]))
            {
                ModelId = ModelName,
                FinishReason = ChatFinishReason.ToolCalls,
                CreatedAt = clock.GetUtcNow(),
                Usage = Usage(messageList, call.Name),
                AdditionalProperties = About(request.Task),
            });
        }

        var text = step?.Text ?? Answer(request);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text) { MessageId = ResponseId(messageList, request, text) })
        {
            ResponseId = ResponseId(messageList, request, text),
            ModelId = ModelName,
            FinishReason = ChatFinishReason.Stop,
            CreatedAt = clock.GetUtcNow(),
            Usage = Usage(messageList, text),
            AdditionalProperties = About(request.Task),
        };
        return Task.FromResult(response);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var messageList = messages.ToList();
        var request = OfflineRequest.From(messageList, options);
        var step = ToolStep(request, messageList, options);
        if (step?.Call is { } call)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [call, new UsageContent(Usage(messageList, call.Name))])
            {
                ModelId = ModelName,
                CreatedAt = clock.GetUtcNow(),
                FinishReason = ChatFinishReason.ToolCalls,
                AdditionalProperties = About(request.Task),
            };
            yield break;
        }

        var text = step?.Text ?? Answer(request);
        var responseId = ResponseId(messageList, request, text);
        var chunks = IsJsonTask(request.Task) ? JsonChunks(text) : WordChunks(text);
        var createdAt = clock.GetUtcNow();

        for (var i = 0; i < chunks.Count; i++)
        {
            if (i > 0 && Options.WordDelay > TimeSpan.Zero)
            {
                await Task.Delay(Options.WordDelay, clock, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var isLast = i == chunks.Count - 1;
            var update = new ChatResponseUpdate(ChatRole.Assistant, chunks[i])
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = ModelName,
                CreatedAt = createdAt,
            };
            if (isLast)
            {
                update.FinishReason = ChatFinishReason.Stop;
                update.Contents.Add(new UsageContent(Usage(messageList, text)));
                update.AdditionalProperties = About(request.Task);
            }

            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
    }

    /// <summary>A coach reply offered the coach's tools may call one first (see <see cref="OfflineToolUse"/>).</summary>
    private static OfflineToolStep? ToolStep(OfflineRequest request, IReadOnlyList<ChatMessage> messages, ChatOptions? options) =>
        request.Task == CoachTask.CoachReply
            ? OfflineToolUse.Next(request.TextOrLastUser("message"), request.List("active_goals"), messages, options)
            : null;

    /// <summary>Produces the task's output: plain text for the two spoken tasks, JSON for the rest.</summary>
    private string Answer(OfflineRequest request) => request.Task switch
    {
        CoachTask.AssessmentQuestion => questions.Write(
            request.Text("user_name"),
            request.Number("question_number") ?? 1,
            request.Text("message") ?? string.Empty),
        CoachTask.AssessmentScoring => Json(personality.Score(request.TextOrLastUser("transcript"))),
        CoachTask.EmotionalSnapshot => Json(emotions.Detect(request.TextOrLastUser("message"))),
        CoachTask.SessionSummary => Json(summaries.Summarize(request.TextOrLastUser("transcript"))),
        CoachTask.GoalSuggestions => Json(goals.Suggest(request.TextOrLastUser("transcript"), request.List("active_goals"))),
        CoachTask.SafetyScreen => Json(AsSafetyScreen(crisis.Screen(request.TextOrLastUser("message")))),
        _ => replies.Write(new CoachReplyRequest(
            request.Text("persona"),
            request.Text("user_name"),
            request.Text("disc_type"),
            request.Text("enneagram_type"),
            request.List("active_goals"),
            request.List("recent_insights"),
            request.TextOrLastUser("message"),
            request.Text("language"),
            request.History)),
    };

    // One rule set: the safety_screen task answers with the same local screen the turn runs before any model call.
    private static SafetyScreenResult AsSafetyScreen(CrisisScreenResult screen)
        => new(screen.RiskLevel, screen.IsCrisis, screen.Categories, screen.Rationale);

    private static bool IsJsonTask(string task) => task is not (CoachTask.CoachReply or CoachTask.AssessmentQuestion);

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    /// <summary>What the engine says about itself on every response, so no one mistakes it for a model.</summary>
    private static AdditionalPropertiesDictionary About(string task) => new()
    {
        ["engine"] = EngineName,
        ["is_language_model"] = false,
        ["task"] = task,
        ["description"] = "Deterministic offline heuristics (lexicons, keyword scoring and templates); not a language model.",
    };

    private static UsageDetails Usage(IReadOnlyList<ChatMessage> messages, string output)
    {
        var input = messages.Sum(message => TextCraft.ApproximateTokens(message.Text ?? string.Empty));
        var produced = TextCraft.ApproximateTokens(output);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = produced, TotalTokenCount = input + produced };
    }

    private static string ResponseId(IReadOnlyList<ChatMessage> messages, OfflineRequest request, string output)
        => "offline-" + TextCraft.StableHash([request.Task, output, .. messages.Select(message => message.Text)]).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Each chunk is one word with the spaces after it; joined they are the text again.</summary>
    internal static IReadOnlyList<string> WordChunks(string text)
    {
        var chunks = WordWithTrailingSpace().Matches(text).Select(match => match.Value).ToList();
        if (chunks.Count == 0)
        {
            return [text];
        }

        var leading = text[..(text.Length - chunks.Sum(chunk => chunk.Length))];
        chunks[0] = leading + chunks[0];
        return chunks;
    }

    /// <summary>JSON has few spaces, so it streams in pieces that end after a comma or a space.</summary>
    internal static IReadOnlyList<string> JsonChunks(string json)
    {
        var chunks = JsonPiece().Matches(json).Select(match => match.Value).Where(piece => piece.Length > 0).ToList();
        return chunks.Count == 0 ? [json] : chunks;
    }

    [GeneratedRegex(@"\S+\s*")]
    private static partial Regex WordWithTrailingSpace();

    [GeneratedRegex(@"[^, ]*[, ]?")]
    private static partial Regex JsonPiece();
}
