using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachService.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoachService.Benchmarks;

/// <summary>How the fake model answers: the coach's streamed reply, and each structured task after its own delay.</summary>
public sealed record FakeModelOptions
{
    public TimeSpan TimeToFirstToken { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Streaming pace of the reply; 0 sends every token at once.</summary>
    public double TokensPerSecond { get; init; } = 50;

    /// <summary>Delay before a structured (JSON schema) answer, unless <see cref="TaskDelays"/> names the task.</summary>
    public TimeSpan StructuredDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Per-task delays by the schema name the service sends (safety_screen, emotional_snapshot, ...).</summary>
    public IReadOnlyDictionary<string, TimeSpan> TaskDelays { get; init; } = new Dictionary<string, TimeSpan>();

    public TimeSpan DelayFor(string task) => TaskDelays.TryGetValue(task, out var delay) ? delay : StructuredDelay;
}

/// <summary>
/// One request the fake model answered, timed on the benchmark's own clock (<see cref="Stopwatch"/>
/// ticks, the clock the simulated clients use): when it arrived, when its first token left, and when
/// its first sentence became complete (the token after the first sentence end left: before that no
/// one can know the sentence ended).
/// </summary>
public sealed class ModelCall(string? task, string? turnKey, long receivedAt)
{
    private long _firstTokenAt;
    private long _firstSentenceAt;
    private long _lastTokenAt;

    /// <summary>The JSON schema name of a structured task; null for the streamed text reply.</summary>
    public string? Task { get; } = task;

    /// <summary>The benchmark turn whose text the request carries (its marker), if any.</summary>
    public string? TurnKey { get; } = turnKey;

    public long ReceivedAt { get; } = receivedAt;

    public long FirstTokenAt => Volatile.Read(ref _firstTokenAt);

    public long FirstSentenceAt => Volatile.Read(ref _firstSentenceAt);

    public long LastTokenAt => Volatile.Read(ref _lastTokenAt);

    public bool Aborted { get; private set; }

    /// <summary>Schema errors of the structured answer; empty when it was valid.</summary>
    public IReadOnlyList<string> SchemaErrors { get; internal set; } = [];

    internal void MarkFirstToken(long at) => Interlocked.CompareExchange(ref _firstTokenAt, at, 0);

    internal void MarkFirstSentence(long at) => Interlocked.CompareExchange(ref _firstSentenceAt, at, 0);

    internal void MarkLastToken(long at) => Volatile.Write(ref _lastTokenAt, at);

    internal void MarkAborted() => Aborted = true;
}

/// <summary>
/// A fake OpenAI-compatible chat completions server on 127.0.0.1, a small Kestrel app of its own:
/// WireMock.Net's SSE bodies are read by a blocking queue, one thread per open stream, which does not
/// hold hundreds of streams paced at 50 tokens per second on two cores. Answers
/// <c>POST /v1/chat/completions</c>, streamed or not, and records every request as a <see cref="ModelCall"/>.
/// </summary>
public sealed partial class FakeModel : IAsyncDisposable
{
    /// <summary>About 60 tokens in five sentences; a token is a word with the space before it, as models stream them.</summary>
    public const string ReplyText =
        "That sounds like a week that asked a lot of you. It makes sense that you feel stretched right now. " +
        "Saying yes to everything leaves little room for what matters to you. What is one thing you could hand back this week? " +
        "Let us pick one small step you can take tomorrow morning, and see how it feels by Friday.";

    private static readonly string[] ReplyTokens = TokenPattern().Matches(ReplyText).Select(m => m.Value).ToArray();

    /// <summary>Index of the token after the first sentence end: when it leaves, the first sentence is known complete.</summary>
    private static readonly int FirstSentenceDecidedAt = Array.FindIndex(ReplyTokens, t => t.EndsWith('.')) + 1;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ModelCall> _calls = new();

    private FakeModel(WebApplication app, FakeModelOptions options, Uri baseUrl)
    {
        _app = app;
        Options = options;
        BaseUrl = baseUrl;
    }

    public FakeModelOptions Options { get; }

    /// <summary>The base URL to give an OpenAI client, e.g. http://127.0.0.1:5123/v1/.</summary>
    public Uri BaseUrl { get; }

    public static int ReplyTokenCount => ReplyTokens.Length;

    public IReadOnlyCollection<ModelCall> Calls => _calls;

    public static async Task<FakeModel> StartAsync(FakeModelOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxConcurrentConnections = null;
        });
        var app = builder.Build();
        FakeModel? model = null;
        app.MapPost("/v1/chat/completions", (HttpContext context) => model!.AnswerAsync(context));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        model = new FakeModel(app, options, new Uri(address.TrimEnd('/') + "/v1/"));
        return model;
    }

    /// <summary>The marker a benchmark turn's text carries, so that the model's requests can be tied to it.</summary>
    public static string Marker(string turnKey) => $"[bench {turnKey}]";

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task AnswerAsync(HttpContext context)
    {
        var received = Stopwatch.GetTimestamp();
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var root = body.RootElement;
        var schema = root.TryGetProperty("response_format", out var format) && format.TryGetProperty("json_schema", out var js) ? js : (JsonElement?)null;
        var task = schema?.GetProperty("name").GetString();
        var call = new ModelCall(task, TurnKeyOf(root), received);
        _calls.Enqueue(call);
        var streaming = root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;
        var includeUsage = root.TryGetProperty("stream_options", out var so) && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        var model = root.TryGetProperty("model", out var m) ? m.GetString() ?? "fake-model" : "fake-model";
        var ct = context.RequestAborted;
        try
        {
            if (task is not null)
            {
                var answer = StructuredAnswer(task);
                if (schema?.TryGetProperty("schema", out var s) == true)
                {
                    using var parsed = JsonDocument.Parse(answer);
                    call.SchemaErrors = JsonSchemaValidator.Validate(s, parsed.RootElement);
                }

                await WaitUntilAsync(received, Options.DelayFor(task), ct);
                await WriteAnswerAsync(context, call, model, [answer], streaming, includeUsage, TimeSpan.Zero, ct);
            }
            else
            {
                await WaitUntilAsync(received, Options.TimeToFirstToken, ct);
                var pause = Options.TokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / Options.TokensPerSecond) : TimeSpan.Zero;
                await WriteAnswerAsync(context, call, model, ReplyTokens, streaming, includeUsage, pause, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            call.MarkAborted();
        }
    }

    private static async Task WriteAnswerAsync(
        HttpContext context, ModelCall call, string model, IReadOnlyList<string> tokens, bool streaming, bool includeUsage, TimeSpan pause, CancellationToken ct)
    {
        var usage = new { prompt_tokens = 200, completion_tokens = tokens.Count, total_tokens = 200 + tokens.Count };
        if (!streaming)
        {
            var now = Stopwatch.GetTimestamp();
            call.MarkFirstToken(now);
            call.MarkFirstSentence(now);
            call.MarkLastToken(now);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-bench",
                @object = "chat.completion",
                created = 1767225600,
                model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = string.Concat(tokens) }, finish_reason = "stop" } },
                usage,
            }, ct);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await WriteEventAsync(context, Chunk(model, """{"role":"assistant","content":""}""", null), ct);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i > 0 && pause > TimeSpan.Zero)
            {
                // Paced from the first token, so that timer slack does not add up over a reply.
                await WaitUntilAsync(start, pause * i, ct);
            }

            await WriteEventAsync(context, Chunk(model, $$"""{"content":{{JsonSerializer.Serialize(tokens[i])}}}""", null), ct);
            var sent = Stopwatch.GetTimestamp();
            call.MarkFirstToken(sent);
            if (i == FirstSentenceDecidedAt || tokens.Count == 1)
            {
                call.MarkFirstSentence(sent);
            }

            call.MarkLastToken(sent);
        }

        await WriteEventAsync(context, Chunk(model, "{}", "stop"), ct);
        if (includeUsage)
        {
            await WriteEventAsync(context, $$"""{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1767225600,"model":"{{model}}","choices":[],"usage":{{JsonSerializer.Serialize(usage)}}}""", ct);
        }

        await WriteEventAsync(context, "[DONE]", ct);
    }

    private static string Chunk(string model, string delta, string? finish) =>
        $$"""{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1767225600,"model":"{{model}}","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}}}]}""";

    private static async Task WriteEventAsync(HttpContext context, string data, CancellationToken ct)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", Encoding.UTF8, ct);
        await context.Response.Body.FlushAsync(ct);
    }

    private static async Task WaitUntilAsync(long from, TimeSpan after, CancellationToken ct)
    {
        // At least the configured delay: a timer may fire a fraction of a millisecond early on the Stopwatch clock.
        TimeSpan left;
        while ((left = after - Stopwatch.GetElapsedTime(from)) > TimeSpan.Zero)
        {
            await Task.Delay(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left, ct);
        }
    }

    /// <summary>The last turn marker in the request's last user message, else anywhere (history holds earlier turns' markers).</summary>
    private static string? TurnKeyOf(JsonElement root)
    {
        string? last = null;
        string? lastUser = null;
        foreach (var message in root.GetProperty("messages").EnumerateArray())
        {
            var text = message.TryGetProperty("content", out var content) ? ContentOf(content) : "";
            var matches = MarkerPattern().Matches(text);
            if (matches.Count == 0)
            {
                continue;
            }

            last = matches[^1].Groups[1].Value;
            if (message.TryGetProperty("role", out var role) && role.GetString() == "user")
            {
                lastUser = last;
            }
        }

        return lastUser ?? last;
    }

    private static string ContentOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : "")),
        _ => "",
    };

    /// <summary>An answer valid for each structured task's schema (checked against the schema each request sends).</summary>
    private static string StructuredAnswer(string task) => task switch
    {
        "safety_screen" => """{"risk_level":"none","is_crisis":false,"categories":[],"rationale":"No risk indicators."}""",
        "emotional_snapshot" => """{"emotions":[{"emotion":"overwhelmed","intensity":3,"color":"#7B68EE","confidence":0.8}]}""",
        "session_summary" => """{"virtue":{"name":"courage","description":"You looked straight at what was hard."},"key_insights":[{"insight":"Saying no protects the mornings.","category":"work_life_balance","importance":4}]}""",
        "goal_suggestions" => """{"goals":[{"category":"health","description":"Walk before work","smart_goal":"Walk 20 minutes before work on 4 days a week for the next 2 weeks","timeframe":"2 weeks","priority":3}]}""",
        "assessment_scoring" => """{"disc_type":"D","disc_scores":{"d":0.7,"i":0.1,"s":0.1,"c":0.1},"enneagram_type":3,"enneagram_wing":4,"enneagram_scores":[0.1,0.1,0.5,0.1,0.05,0.05,0.04,0.03,0.03],"confidence":0.72,"insights":["Drives towards results."]}""",
        _ => "{}",
    };

    [GeneratedRegex(@"\s*\S+", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\[bench ([A-Za-z0-9\-]+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex MarkerPattern();
}
