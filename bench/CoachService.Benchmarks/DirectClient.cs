using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CoachService.Benchmarks;

/// <summary>
/// The physical limit: the same talkers streaming the same reply straight from the fake model, with
/// no service in between. What they add over the model is the cost of loopback HTTP and the client.
/// </summary>
public static class DirectClient
{
    public static async Task TalkAsync(HttpClient http, int index, BenchmarkOptions options, ConcurrentSink sink, CancellationToken phaseOver)
    {
        // Paced like the service's talkers: the same spread of first turns and pauses.
        var random = BenchmarkOptions.TalkerRandom(index, int.MinValue);
        await Task.Delay(options.StartOffset(random), CancellationToken.None);
        for (var i = 0; i < options.TurnsPerTalker && !phaseOver.IsCancellationRequested; i++)
        {
            var key = $"d{index}-t{i}";
            var turn = new TurnRecord(key, key, Guid.Empty, -1);
            sink.Turns.Enqueue(turn);
            try
            {
                var body = JsonSerializer.Serialize(new
                {
                    model = "fake-model",
                    stream = true,
                    stream_options = new { include_usage = true },
                    messages = new object[]
                    {
                        new { role = "system", content = "You are a warm coach." },
                        new { role = "user", content = $"{FakeModel.Marker(key)} Work has been a lot this week." },
                    },
                });
                using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                using var timeout = new CancellationTokenSource(options.TurnTimeout);
                turn.SentAt = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                response.EnsureSuccessStatusCode();
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                using var reader = new StreamReader(stream);
                var sentenceOpen = true;
                var previousEndedSentence = false;
                var reply = new StringBuilder();
                while (await reader.ReadLineAsync(timeout.Token) is { } line)
                {
                    if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
                    {
                        continue;
                    }

                    using var chunk = JsonDocument.Parse(line.AsMemory(6));
                    var choices = chunk.RootElement.GetProperty("choices");
                    if (choices.GetArrayLength() == 0 || !choices[0].GetProperty("delta").TryGetProperty("content", out var content)
                        || content.GetString() is not { Length: > 0 } text)
                    {
                        continue;
                    }

                    // A sentence is known complete when the token after its end arrives, as the service's chunker decides it.
                    var at = Stopwatch.GetTimestamp();
                    turn.OnChunk(text, sentenceOpen && previousEndedSentence, at);
                    sentenceOpen &= !previousEndedSentence;
                    previousEndedSentence = text.EndsWith('.');
                    reply.Append(text);
                }

                turn.OnCompleted(reply.ToString(), Stopwatch.GetTimestamp());
            }
            catch (Exception e)
            {
                // Every failure is the turn's error in the report, whatever threw it.
                turn.Fail($"{e.GetType().Name}: {e.Message}");
            }

            await Task.Delay(options.Think(random), CancellationToken.None);
        }
    }

    public static HttpClient Create(Uri modelBaseUrl) => new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = modelBaseUrl,
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { Accept = { new MediaTypeWithQualityHeaderValue("text/event-stream") } },
    };
}

/// <summary>Where the talkers of a phase put their turns and their errors outside a turn.</summary>
public sealed class ConcurrentSink
{
    public System.Collections.Concurrent.ConcurrentQueue<TurnRecord> Turns { get; } = new();

    public System.Collections.Concurrent.ConcurrentQueue<string> Errors { get; } = new();
}
