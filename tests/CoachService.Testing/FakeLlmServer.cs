using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WireMock;
using WireMock.Logging;
using WireMock.Models;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace CoachService.Testing;

/// <summary>The wire format a <see cref="FakeLlmServer"/> answers in.</summary>
public enum FakeLlmDialect
{
    /// <summary>api.openai.com's chat completions (also vLLM and LM Studio).</summary>
    OpenAi,

    /// <summary>Azure OpenAI: a first chunk with only prompt_filter_results, content_filter_results on every choice.</summary>
    Azure,

    /// <summary>Ollama's OpenAI-compatible API: the role on every delta, the finish reason on an empty last delta, fp_ollama.</summary>
    Ollama,
}

/// <summary>Defaults of a <see cref="FakeLlmServer"/>.</summary>
public sealed record FakeLlmServerOptions
{
    /// <summary>Path prefix before <c>/chat/completions</c>, e.g. "/v1". Azure's paths are always answered too.</summary>
    public string BasePath { get; init; } = "/v1";

    public FakeLlmDialect Dialect { get; init; } = FakeLlmDialect.OpenAi;

    /// <summary>Model name reported when neither the response nor the request sets one.</summary>
    public string Model { get; init; } = "fake-model";

    /// <summary>Delay before the first byte of every response unless the response overrides it.</summary>
    public TimeSpan TimeToFirstToken { get; init; } = TimeSpan.Zero;

    /// <summary>Streaming pace; 0 sends chunks as fast as possible.</summary>
    public double TokensPerSecond { get; init; }
}

/// <summary>A tool call the fake model makes: streamed as <c>delta.tool_calls</c>, the arguments in pieces.</summary>
public sealed record FakeToolCall(string Id, string Name, string ArgumentsJson);

/// <summary>One scripted answer of the fake server. A chunk is one word with the whitespace before it.</summary>
public sealed record FakeResponse
{
    public string Text { get; init; } = "";

    public int StatusCode { get; init; } = 200;

    /// <summary>"stop", "length", "content_filter" or "tool_calls" (the default when there are tool calls).</summary>
    public string? FinishReason { get; init; }

    public int PromptTokens { get; init; } = 12;

    /// <summary>Completion tokens reported; default: the number of chunks.</summary>
    public int? CompletionTokens { get; init; }

    public string? Model { get; init; }

    /// <summary>Tool calls instead of (or after) text.</summary>
    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];

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

    /// <summary>Open the stream with Azure's chunk: empty choices and prompt_filter_results (always so in the Azure dialect).</summary>
    public bool AzureFilterChunk { get; init; }

    public static FakeResponse Reply(string text) => new() { Text = text };

    public static FakeResponse Json(object value) => new() { Text = JsonSerializer.Serialize(value) };

    public static FakeResponse Error(int statusCode, string? retryAfter = null, string? retryAfterMs = null) =>
        new() { StatusCode = statusCode, RetryAfter = retryAfter, RetryAfterMs = retryAfterMs };

    public static FakeResponse CallTools(params FakeToolCall[] calls) => new() { ToolCalls = calls };
}

/// <summary>A request the fake server received.</summary>
public sealed partial class FakeRequest
{
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _firstTokenTicks = -1;

    internal FakeRequest(
        string path, IReadOnlyDictionary<string, string> query, JsonElement body, IReadOnlyDictionary<string, string> headers, DateTimeOffset receivedAt)
    {
        Path = path;
        Query = query;
        Body = body;
        Headers = headers;
        ReceivedAt = receivedAt;
    }

    public string Path { get; }

    /// <summary>Query parameters, e.g. Azure's <c>api-version</c>.</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    public JsonElement Body { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>When the request arrived (wall clock), for benchmarks.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>When the first content chunk (or the whole non-streamed answer) was handed to the server, for benchmarks.</summary>
    public DateTimeOffset? FirstTokenAt => Interlocked.Read(ref _firstTokenTicks) is var ticks and >= 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The deployment of an Azure classic path (<c>/openai/deployments/NAME/chat/completions</c>), else null.</summary>
    public string? Deployment => AzureDeploymentPath().Match(Path) is { Success: true } m ? Uri.UnescapeDataString(m.Groups[1].Value) : null;

    public string? Model => Body.TryGetProperty("model", out var model) ? model.GetString() : null;

    public bool IsStreaming => Body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;

    public bool IncludeUsage =>
        Body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
        && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;

    /// <summary>The request's messages as (role, content).</summary>
    public IReadOnlyList<(string Role, string Content)> Messages =>
        Body.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString() ?? "", m.TryGetProperty("content", out var c) ? ContentOf(c) : ""))
            .ToList();

    /// <summary>True once the client cancelled or disconnected before the response was complete.</summary>
    public bool WasAborted => _aborted.Task.IsCompleted;

    /// <summary>Completes when the client cancels or disconnects before the response is complete.</summary>
    public Task Aborted => _aborted.Task;

    internal void MarkAborted() => _aborted.TrySetResult();

    internal void MarkFirstToken() => Interlocked.CompareExchange(ref _firstTokenTicks, DateTimeOffset.UtcNow.UtcTicks, -1);

    private static string ContentOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : "")),
        _ => "",
    };

    [GeneratedRegex("^/openai/deployments/([^/]+)/chat/completions$", RegexOptions.CultureInvariant)]
    private static partial Regex AzureDeploymentPath();
}

/// <summary>
/// A fake LLM on 127.0.0.1 for tests and benchmarks, on WireMock.Net: answers POST
/// <c>{BasePath}/chat/completions</c>, Azure's v1 path <c>/openai/v1/chat/completions</c> and Azure's
/// classic <c>/openai/deployments/NAME/chat/completions?api-version=...</c> from a queue of scripted
/// responses, else from <see cref="Handler"/>, as a JSON answer or an SSE stream in the chosen dialect.
/// </summary>
public sealed partial class FakeLlmServer : IDisposable, IAsyncDisposable
{
    /// <summary>Set on each request by the connection middleware, so a response can find its connection.</summary>
    private const string ConnectionHeader = "X-Fake-Llm-Connection";

    private readonly ConcurrentQueue<FakeResponse> _script = new();
    private readonly ConcurrentQueue<FakeRequest> _requests = new();
    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private int _nextId;

    private FakeLlmServer(FakeLlmServerOptions options)
    {
        Options = options;
        var port = FreeLoopbackPort();
        WireMock = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{port}"],
            Logger = new WireMockNullLogger(),
            PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(TrackConnectionAsync),
        });
        RootUrl = new Uri($"http://127.0.0.1:{port}/");
        BaseUrl = new Uri(RootUrl, $"{options.BasePath.Trim('/')}/");

        var answer = Response.Create().WithCallback(AnswerAsync);
        WireMock.Given(Request.Create().UsingPost().WithPath($"/{options.BasePath.Trim('/')}/chat/completions", "/openai/v1/chat/completions"))
            .RespondWith(answer);
        // Classic Azure deployments: no api-version, no answer (WireMock's 404), as on Azure.
        WireMock.Given(Request.Create().UsingPost().WithPath(p => p.StartsWith("/openai/deployments/", StringComparison.Ordinal) && p.EndsWith("/chat/completions", StringComparison.Ordinal))
                .WithParam("api-version"))
            .RespondWith(answer);
    }

    public FakeLlmServerOptions Options { get; }

    /// <summary>The WireMock server itself, for extra mappings or its request log.</summary>
    public WireMockServer WireMock { get; }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:5123/</c>: an Azure resource endpoint for classic deployments.</summary>
    public Uri RootUrl { get; }

    /// <summary>Base URL to give an OpenAI client, e.g. <c>http://127.0.0.1:5123/v1/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Azure's v1 endpoint on this server: <c>http://127.0.0.1:5123/openai/v1/</c>.</summary>
    public Uri AzureV1Url => new(RootUrl, "openai/v1/");

    /// <summary>Answers requests when the script is empty.</summary>
    public Func<FakeRequest, FakeResponse> Handler { get; set; } = _ => FakeResponse.Reply("This is the fake model speaking.");

    public IReadOnlyList<FakeRequest> Requests => _requests.ToArray();

    public static Task<FakeLlmServer> StartAsync(FakeLlmServerOptions? options = null) =>
        Task.FromResult(new FakeLlmServer(options ?? new FakeLlmServerOptions()));

    /// <summary>Queues responses, served in order before <see cref="Handler"/> is asked.</summary>
    public FakeLlmServer Enqueue(params FakeResponse[] responses)
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

    public void Dispose() => WireMock.Stop();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Runs before WireMock's own middleware: ties the request to its connection, so a response can
    /// see the client go away (<see cref="FakeRequest.Aborted"/>) and can break the connection itself.
    /// </summary>
    private async Task TrackConnectionAsync(HttpContext context, Func<Task> next)
    {
        var id = Guid.NewGuid().ToString("N");
        using var connection = new Connection(context);
        _connections[id] = connection;
        context.Request.Headers[ConnectionHeader] = id;
        try
        {
            await next().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(id, out _);
            connection.Complete();
        }
    }

    private async Task<IResponseMessage> AnswerAsync(IRequestMessage message)
    {
        var headers = (message.Headers ?? new Dictionary<string, WireMockList<string>>())
            .Where(h => !string.Equals(h.Key, ConnectionHeader, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var query = (message.Query ?? new Dictionary<string, WireMockList<string>>())
            .ToDictionary(q => q.Key, q => string.Join(",", q.Value), StringComparer.Ordinal);
        using var body = JsonDocument.Parse(message.Body ?? message.BodyData?.BodyAsString ?? "{}");
        var request = new FakeRequest(message.AbsolutePath, query, body.RootElement.Clone(), headers, DateTimeOffset.UtcNow);
        var connection = message.Headers?.TryGetValue(ConnectionHeader, out var ids) == true && ids.Count > 0 && _connections.TryGetValue(ids[0], out var found)
            ? found
            : throw new InvalidOperationException("The fake LLM server lost track of a request's connection.");
        connection.Request = request;
        _requests.Enqueue(request);

        var response = _script.TryDequeue(out var scripted) ? scripted : Handler(request);
        try
        {
            await Task.Delay(response.DelayBeforeFirstByte ?? Options.TimeToFirstToken, connection.Gone).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return new ResponseMessage { StatusCode = 499 };
        }

        if (response.StatusCode != StatusCodes.Status200OK)
        {
            return Error(response);
        }

        var answer = new Answer(this, request, response);
        if (!request.IsStreaming)
        {
            request.MarkFirstToken();
            return Text("application/json", answer.Completion().ToJsonString());
        }

        var pause = response.DelayBetweenChunks ?? (Options.TokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / Options.TokensPerSecond) : TimeSpan.Zero);
        var events = answer.Events();
        if (pause == TimeSpan.Zero && response.DropAfterChunks is null)
        {
            // The whole stream as one body: what WireMock serves most reliably (its WithSseBody mappings
            // stream only to their first request).
            request.MarkFirstToken();
            return Text("text/event-stream", string.Concat(events.Select(e => e.Sse)));
        }

        // Paced or broken streams: a fresh SSE queue per request, which WireMock writes and flushes item by item.
        var queue = new SseQueue();
        return new ResponseMessage
        {
            StatusCode = 200,
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("text/event-stream") },
            BodyData = new BodyData
            {
                DetectedBodyType = BodyType.SseString,
                SseStringQueue = queue,
                BodyAsSseStringTask = StreamAsync(queue, events, pause, response.DropAfterChunks, request, connection),
                Encoding = Encoding.UTF8,
            },
        };
    }

    private static async Task StreamAsync(
        SseQueue queue, IReadOnlyList<SseEvent> events, TimeSpan pause, int? dropAfter, FakeRequest request, Connection connection)
    {
        try
        {
            var content = 0;
            foreach (var item in events)
            {
                if (item.IsContent)
                {
                    if (content > 0 && pause > TimeSpan.Zero)
                    {
                        await Task.Delay(pause, connection.Gone).ConfigureAwait(false);
                    }

                    if (content == dropAfter)
                    {
                        connection.Break();
                        return;
                    }

                    content++;
                    request.MarkFirstToken();
                }

                queue.Write(item.Sse);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away; the request records it.
        }
        finally
        {
            queue.Close();
        }
    }

    private static ResponseMessage Error(FakeResponse response)
    {
        var headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") };
        if (response.RetryAfter is not null)
        {
            headers["Retry-After"] = new(response.RetryAfter);
        }

        if (response.RetryAfterMs is not null)
        {
            headers["retry-after-ms"] = new(response.RetryAfterMs);
        }

        var error = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = response.ErrorMessage,
                ["type"] = response.StatusCode == StatusCodes.Status429TooManyRequests ? "rate_limit_exceeded" : "server_error",
                ["param"] = null,
                ["code"] = response.StatusCode.ToString(CultureInfo.InvariantCulture),
            },
        };
        return new ResponseMessage { StatusCode = response.StatusCode, Headers = headers, BodyData = StringBody(error.ToJsonString()) };
    }

    private static ResponseMessage Text(string contentType, string text) => new()
    {
        StatusCode = 200,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new(contentType) },
        BodyData = StringBody(text),
    };

    private static BodyData StringBody(string text) => new() { DetectedBodyType = BodyType.String, BodyAsString = text, Encoding = Encoding.UTF8 };

    /// <summary>One server-sent event; content events are the ones paced, counted and dropped after.</summary>
    private sealed record SseEvent(string Sse, bool IsContent)
    {
        public static SseEvent Data(JsonNode node, bool isContent = false) => new($"data: {node.ToJsonString()}\n\n", isContent);

        public static SseEvent Raw(string data) => new($"data: {data}\n\n", false);
    }

    /// <summary>The chunks and JSON of one answer, in the server's dialect.</summary>
    private sealed partial class Answer
    {
        private readonly FakeLlmServer _server;
        private readonly FakeRequest _request;
        private readonly FakeResponse _response;
        private readonly string _id;
        private readonly string _model;
        private readonly List<string> _words;

        public Answer(FakeLlmServer server, FakeRequest request, FakeResponse response)
        {
            _server = server;
            _request = request;
            _response = response;
            _id = $"chatcmpl-fake{Interlocked.Increment(ref server._nextId)}";
            _model = response.Model ?? request.Model ?? server.Options.Model;
            _words = WordPattern().Matches(response.Text).Select(m => m.Value).ToList();
        }

        private FakeLlmDialect Dialect => _server.Options.Dialect;

        private string FinishReason => _response.FinishReason ?? (_response.ToolCalls.Count > 0 ? "tool_calls" : "stop");

        private JsonObject Usage()
        {
            var completion = _response.CompletionTokens ?? (_words.Count + _response.ToolCalls.Count);
            return new JsonObject
            {
                ["prompt_tokens"] = _response.PromptTokens,
                ["completion_tokens"] = completion,
                ["total_tokens"] = _response.PromptTokens + completion,
            };
        }

        public JsonObject Completion()
        {
            var message = new JsonObject { ["role"] = "assistant", ["content"] = _response.ToolCalls.Count > 0 && _words.Count == 0 ? null : _response.Text };
            if (_response.ToolCalls.Count > 0)
            {
                message["tool_calls"] = new JsonArray([.. _response.ToolCalls.Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
                })]);
            }

            var choice = WithFilterResults(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = FinishReason });
            var completion = Envelope("chat.completion", new JsonArray(choice));
            completion["usage"] = Usage();
            if (Dialect == FakeLlmDialect.Azure)
            {
                completion["prompt_filter_results"] = JsonNode.Parse(PromptFilterResults);
            }

            return completion;
        }

        public IReadOnlyList<SseEvent> Events()
        {
            var events = new List<SseEvent>();
            if (Dialect == FakeLlmDialect.Azure || _response.AzureFilterChunk)
            {
                events.Add(SseEvent.Raw(AzurePromptFilterChunk));
            }

            if (Dialect != FakeLlmDialect.Ollama)
            {
                events.Add(SseEvent.Data(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null)));
            }

            for (var i = 0; i < _words.Count; i++)
            {
                if (i == _response.MalformedChunkAfter)
                {
                    events.Add(SseEvent.Raw("{\"id\": \"broken\", \"choices\": [{\"delta\": "));
                }

                events.Add(SseEvent.Data(Chunk(Delta(_words[i]), null), isContent: true));
            }

            foreach (var (call, index) in _response.ToolCalls.Select((c, i) => (c, i)))
            {
                // The name first, then the arguments in a few pieces, as the OpenAI API streams them.
                events.Add(SseEvent.Data(Chunk(ToolCallDelta(index, call.Id, call.Name, ""), null), isContent: true));
                foreach (var piece in Pieces(call.ArgumentsJson, 3))
                {
                    events.Add(SseEvent.Data(Chunk(ToolCallDelta(index, null, null, piece), null), isContent: true));
                }
            }

            if (!_response.OmitFinishReason)
            {
                events.Add(SseEvent.Data(Chunk(Dialect == FakeLlmDialect.Ollama ? Delta("") : new JsonObject(), FinishReason)));
            }

            if (_request.IncludeUsage)
            {
                var usageChunk = Envelope("chat.completion.chunk", []);
                usageChunk["usage"] = Usage();
                events.Add(SseEvent.Data(usageChunk));
            }

            events.Add(SseEvent.Raw("[DONE]"));
            return events;
        }

        private JsonObject Delta(string content) => Dialect == FakeLlmDialect.Ollama
            ? new JsonObject { ["role"] = "assistant", ["content"] = content }
            : new JsonObject { ["content"] = content };

        private static JsonObject ToolCallDelta(int index, string? id, string? name, string arguments)
        {
            var function = new JsonObject { ["arguments"] = arguments };
            var call = new JsonObject { ["index"] = index };
            if (id is not null)
            {
                call["id"] = id;
                call["type"] = "function";
                function["name"] = name;
            }

            call["function"] = function;
            var delta = new JsonObject { ["tool_calls"] = new JsonArray(call) };
            if (id is not null && index == 0)
            {
                delta["role"] = "assistant";
                delta["content"] = null;
            }

            return delta;
        }

        private static IEnumerable<string> Pieces(string text, int count)
        {
            var size = Math.Max(1, (int)Math.Ceiling(text.Length / (double)count));
            for (var i = 0; i < text.Length; i += size)
            {
                yield return text.Substring(i, Math.Min(size, text.Length - i));
            }
        }

        private JsonObject Chunk(JsonObject delta, string? finishReason)
        {
            var choice = new JsonObject { ["index"] = 0, ["delta"] = delta };
            if (Dialect != FakeLlmDialect.Ollama)
            {
                choice["logprobs"] = null;
            }

            choice["finish_reason"] = finishReason;
            return Envelope("chat.completion.chunk", new JsonArray(WithFilterResults(choice)));
        }

        private JsonObject WithFilterResults(JsonObject choice)
        {
            if (Dialect == FakeLlmDialect.Azure)
            {
                choice["content_filter_results"] = JsonNode.Parse(ContentFilterResults);
            }

            return choice;
        }

        private JsonObject Envelope(string objectType, JsonArray choices) => new()
        {
            ["id"] = _id,
            ["object"] = objectType,
            ["created"] = 1767225600,
            ["model"] = _model,
            ["system_fingerprint"] = Dialect == FakeLlmDialect.Ollama ? "fp_ollama" : "fp_fake",
            ["choices"] = choices,
        };

        private const string ContentFilterResults =
            """{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}""";

        private const string PromptFilterResults = """[{"prompt_index":0,"content_filter_results":""" + ContentFilterResults + "}]";

        // What Azure OpenAI sends first: no choices, only the prompt's content-filter results.
        private const string AzurePromptFilterChunk =
            """{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":""" + PromptFilterResults + "}";

        [GeneratedRegex(@"\s*\S+", RegexOptions.CultureInvariant)]
        private static partial Regex WordPattern();
    }

    /// <summary>The events of one streamed response, read (blocking) by WireMock as they are written.</summary>
    private sealed class SseQueue : IBlockingQueue<string?>
    {
        private static readonly TimeSpan ReadTimeout = TimeSpan.FromMinutes(5);
        private readonly BlockingCollection<string> _items = [];

        public void Write(string? item)
        {
            if (item is not null)
            {
                _items.Add(item);
            }
        }

        public bool TryRead([NotNullWhen(true)] out string? item)
        {
            try
            {
                return _items.TryTake(out item, ReadTimeout);
            }
            catch (InvalidOperationException)
            {
                // Closed while waiting.
                item = null;
                return false;
            }
        }

        public void Close() => _items.CompleteAdding();
    }

    /// <summary>One HTTP request's connection: whether the client left, and a way to break it from the server side.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly HttpContext _context;
        private readonly CancellationTokenSource _gone = new();
        private readonly CancellationTokenRegistration _registration;
        private volatile bool _complete;
        private volatile bool _brokenByServer;

        public Connection(HttpContext context)
        {
            _context = context;
            _registration = context.RequestAborted.Register(OnAborted);
        }

        public FakeRequest? Request { get; set; }

        /// <summary>Cancelled when the connection goes, whoever ended it.</summary>
        public CancellationToken Gone => _gone.Token;

        /// <summary>Aborts the connection mid-response, as a crashing server or proxy would.</summary>
        public void Break()
        {
            _brokenByServer = true;
            _context.Abort();
        }

        public void Complete() => _complete = true;

        public void Dispose()
        {
            _registration.Dispose();
            _gone.Dispose();
        }

        private void OnAborted()
        {
            if (!_complete && !_brokenByServer)
            {
                Request?.MarkAborted();
            }

            try
            {
                _gone.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The request finished as the connection closed.
            }
        }
    }
}
