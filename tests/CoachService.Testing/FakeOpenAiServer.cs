using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoachService.Testing;

/// <summary>Defaults of a <see cref="FakeOpenAiServer"/>.</summary>
public sealed record FakeOpenAiServerOptions
{
    /// <summary>Path prefix before <c>/chat/completions</c>, e.g. "/v1" or "/openai/v1".</summary>
    public string BasePath { get; init; } = "/v1";

    /// <summary>Model name reported when a response does not set one.</summary>
    public string Model { get; init; } = "fake-model";

    /// <summary>Delay before the first byte of every response unless the response overrides it.</summary>
    public TimeSpan TimeToFirstToken { get; init; } = TimeSpan.Zero;

    /// <summary>Streaming pace; 0 sends chunks as fast as possible.</summary>
    public double TokensPerSecond { get; init; }
}

/// <summary>One scripted answer of the fake server. A chunk is one word with the whitespace before it.</summary>
public sealed record FakeResponse
{
    public string Text { get; init; } = "";

    public int StatusCode { get; init; } = 200;

    /// <summary>"stop", "length" or "content_filter".</summary>
    public string FinishReason { get; init; } = "stop";

    public int PromptTokens { get; init; } = 12;

    /// <summary>Completion tokens reported; default: the number of chunks.</summary>
    public int? CompletionTokens { get; init; }

    public string? Model { get; init; }

    /// <summary>Raw <c>Retry-After</c> header of an error: seconds or an HTTP date.</summary>
    public string? RetryAfter { get; init; }

    /// <summary>Raw Azure <c>retry-after-ms</c> header of an error.</summary>
    public string? RetryAfterMs { get; init; }

    public string ErrorMessage { get; init; } = "Scripted failure.";

    public TimeSpan? DelayBeforeFirstByte { get; init; }

    public TimeSpan? DelayBetweenChunks { get; init; }

    /// <summary>Abort the connection after this many content chunks.</summary>
    public int? DropAfterChunks { get; init; }

    /// <summary>Send a chunk that is not JSON after this many content chunks.</summary>
    public int? MalformedChunkAfter { get; init; }

    /// <summary>End the stream cleanly (with [DONE]) but without the finish_reason chunk, like a cut-off proxy.</summary>
    public bool OmitFinishReason { get; init; }

    /// <summary>Open the stream with Azure's chunk: empty choices and prompt_filter_results.</summary>
    public bool AzureFilterChunk { get; init; }

    public static FakeResponse Reply(string text) => new() { Text = text };

    public static FakeResponse Json(object value) => new() { Text = JsonSerializer.Serialize(value) };

    public static FakeResponse Error(int statusCode, string? retryAfter = null, string? retryAfterMs = null) =>
        new() { StatusCode = statusCode, RetryAfter = retryAfter, RetryAfterMs = retryAfterMs };
}

/// <summary>A request the fake server received.</summary>
public sealed class FakeRequest(string path, JsonElement body, IReadOnlyDictionary<string, string> headers)
{
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Path { get; } = path;

    public JsonElement Body { get; } = body;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public string? Model => Body.TryGetProperty("model", out var model) ? model.GetString() : null;

    public bool IsStreaming => Body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;

    public bool IncludeUsage =>
        Body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
        && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;

    /// <summary>The request's messages as (role, content).</summary>
    public IReadOnlyList<(string Role, string Content)> Messages =>
        Body.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString() ?? "", ContentOf(m.GetProperty("content"))))
            .ToList();

    /// <summary>True once the client cancelled or disconnected before the response was complete.</summary>
    public bool WasAborted => _aborted.Task.IsCompleted;

    /// <summary>Completes when the client cancels or disconnects before the response is complete.</summary>
    public Task Aborted => _aborted.Task;

    internal void MarkAborted() => _aborted.TrySetResult();

    private static string ContentOf(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString() ?? ""
        : string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : ""));
}

/// <summary>
/// An OpenAI-compatible chat-completions server on 127.0.0.1 for tests and benchmarks: answers
/// POST {BasePath}/chat/completions from a queue of scripted responses, else from <see cref="Handler"/>.
/// </summary>
public sealed partial class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeResponse> _script = new();
    private readonly ConcurrentQueue<FakeRequest> _requests = new();
    private int _nextId;

    private FakeOpenAiServer(WebApplication app, FakeOpenAiServerOptions options)
    {
        _app = app;
        Options = options;
    }

    public FakeOpenAiServerOptions Options { get; }

    /// <summary>Base URL to give an OpenAI client, e.g. <c>http://127.0.0.1:5123/v1/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Answers requests when the script is empty.</summary>
    public Func<FakeRequest, FakeResponse> Handler { get; set; } = _ => FakeResponse.Reply("This is the fake model speaking.");

    public IReadOnlyList<FakeRequest> Requests => _requests.ToArray();

    public static async Task<FakeOpenAiServer> StartAsync(FakeOpenAiServerOptions? options = null)
    {
        options ??= new FakeOpenAiServerOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeOpenAiServer(app, options);
        app.MapPost($"{options.BasePath.TrimEnd('/')}/chat/completions", (HttpContext context) => server.HandleAsync(context));
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri($"{address.TrimEnd('/')}{options.BasePath.TrimEnd('/')}/");
        return server;
    }

    /// <summary>Queues responses, served in order before <see cref="Handler"/> is asked.</summary>
    public FakeOpenAiServer Enqueue(params FakeResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }

        return this;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived.</summary>
    public async Task<FakeRequest> WaitForRequestAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (_requests.Count < count)
        {
            await Task.Delay(10, cts.Token).ConfigureAwait(false);
        }

        return Requests[count - 1];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = (await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false)).RootElement.Clone();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new FakeRequest(context.Request.Path, body, headers);
        _requests.Enqueue(request);

        var serverAborts = false;
        using var registration = context.RequestAborted.Register(() =>
        {
            if (!Volatile.Read(ref serverAborts))
            {
                request.MarkAborted();
            }
        });

        var response = _script.TryDequeue(out var scripted) ? scripted : Handler(request);
        var id = $"chatcmpl-fake{Interlocked.Increment(ref _nextId)}";
        var model = response.Model ?? request.Model ?? Options.Model;
        var chunks = WordPattern().Matches(response.Text).Select(m => m.Value).ToList();
        var ct = context.RequestAborted;
        try
        {
            await Task.Delay(response.DelayBeforeFirstByte ?? Options.TimeToFirstToken, ct).ConfigureAwait(false);
            if (response.StatusCode != StatusCodes.Status200OK)
            {
                await WriteErrorAsync(context, response).ConfigureAwait(false);
                return;
            }

            var usage = new JsonObject
            {
                ["prompt_tokens"] = response.PromptTokens,
                ["completion_tokens"] = response.CompletionTokens ?? chunks.Count,
                ["total_tokens"] = response.PromptTokens + (response.CompletionTokens ?? chunks.Count),
            };
            if (!request.IsStreaming)
            {
                var completion = Envelope(id, model, "chat.completion", new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = response.Text },
                    ["finish_reason"] = response.FinishReason,
                }));
                completion["usage"] = usage;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(completion.ToJsonString(), ct).ConfigureAwait(false);
                return;
            }

            context.Response.ContentType = "text/event-stream";
            if (response.AzureFilterChunk)
            {
                await WriteEventAsync(context, AzurePromptFilterChunk).ConfigureAwait(false);
            }

            await WriteEventAsync(context, Chunk(id, model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null).ToJsonString()).ConfigureAwait(false);
            var pause = response.DelayBetweenChunks
                ?? (Options.TokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / Options.TokensPerSecond) : TimeSpan.Zero);
            for (var i = 0; i < chunks.Count; i++)
            {
                if (i > 0 && pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, ct).ConfigureAwait(false);
                }

                if (i == response.DropAfterChunks)
                {
                    Volatile.Write(ref serverAborts, true);
                    context.Abort();
                    return;
                }

                if (i == response.MalformedChunkAfter)
                {
                    await WriteEventAsync(context, "{\"id\": \"broken\", \"choices\": [{\"delta\": ").ConfigureAwait(false);
                }

                await WriteEventAsync(context, Chunk(id, model, new JsonObject { ["content"] = chunks[i] }, null).ToJsonString()).ConfigureAwait(false);
            }

            if (!response.OmitFinishReason)
            {
                await WriteEventAsync(context, Chunk(id, model, new JsonObject(), response.FinishReason).ToJsonString()).ConfigureAwait(false);
            }

            if (request.IncludeUsage)
            {
                var usageChunk = Envelope(id, model, "chat.completion.chunk", []);
                usageChunk["usage"] = usage;
                await WriteEventAsync(context, usageChunk.ToJsonString()).ConfigureAwait(false);
            }

            await WriteEventAsync(context, "[DONE]").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; Aborted records it.
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, FakeResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        if (response.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = response.RetryAfter;
        }

        if (response.RetryAfterMs is not null)
        {
            context.Response.Headers["retry-after-ms"] = response.RetryAfterMs;
        }

        context.Response.ContentType = "application/json";
        var error = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = response.ErrorMessage,
                ["type"] = response.StatusCode == StatusCodes.Status429TooManyRequests ? "rate_limit_exceeded" : "server_error",
                ["param"] = null,
                ["code"] = response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        await context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteEventAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject Chunk(string id, string model, JsonObject delta, string? finishReason) =>
        Envelope(id, model, "chat.completion.chunk", new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        }));

    private static JsonObject Envelope(string id, string model, string objectType, JsonArray choices) => new()
    {
        ["id"] = id,
        ["object"] = objectType,
        ["created"] = 1767225600,
        ["model"] = model,
        ["system_fingerprint"] = "fp_fake",
        ["choices"] = choices,
    };

    // What Azure OpenAI sends first: no choices, only the prompt's content-filter results.
    private const string AzurePromptFilterChunk =
        """{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}""";

    [GeneratedRegex(@"\s*\S+", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();
}
