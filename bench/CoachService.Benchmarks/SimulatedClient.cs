using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CoachService.Conversations;
using CoachService.Testing.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CoachService.Benchmarks;

/// <summary>
/// One turn as a client saw it, on the benchmark's clock (<see cref="Stopwatch"/> ticks): sent, first
/// chunk, first complete sentence, last chunk, completed. 0 means it did not happen.
/// </summary>
public sealed class TurnRecord(string key, string turnId, Guid sessionId, int phase)
{
    private readonly StringBuilder _text = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The marker the turn's text carries, which ties it to the fake model's requests.</summary>
    public string Key { get; } = key;

    public string TurnId { get; } = turnId;

    public Guid SessionId { get; } = sessionId;

    public int Phase { get; } = phase;

    public long SentAt { get; set; }

    /// <summary>The turn is its session's first (StartSession came just before it).</summary>
    public bool OpensSession { get; set; }

    public long FirstChunkAt { get; private set; }

    public long FirstSentenceAt { get; private set; }

    public long LastChunkAt { get; private set; }

    public long CompletedAt { get; private set; }

    /// <summary>The reply as the concatenated chunks.</summary>
    public string ChunkText { get { lock (_text) { return _text.ToString(); } } }

    /// <summary>The stored reply as TurnCompleted gave it.</summary>
    public string? CompletedContent { get; private set; }

    public string? Failure { get; private set; }

    public Task Done => _done.Task;

    public void OnChunk(string text, bool sentenceEnd, long at)
    {
        lock (_text)
        {
            if (FirstChunkAt == 0)
            {
                FirstChunkAt = at;
            }

            if (sentenceEnd && FirstSentenceAt == 0)
            {
                FirstSentenceAt = at;
            }

            LastChunkAt = at;
            _text.Append(text);
        }
    }

    public void OnCompleted(string content, long at)
    {
        CompletedContent = content;
        CompletedAt = at;
        _done.TrySetResult();
    }

    public void Fail(string reason)
    {
        Failure ??= reason;
        _done.TrySetResult();
    }
}

/// <summary>A simulated user: a hub connection over a WebSocket that records every event of its turns.</summary>
public sealed class SimulatedClient(int index, Uri service, string token) : IAsyncDisposable
{
    private const string Utterance = "Work has been a lot this week and I keep saying yes to everything, so my mornings are gone.";

    private readonly ConcurrentDictionary<string, TurnRecord> _turns = new(StringComparer.Ordinal);
    private HubConnection _connection = null!;
    private Guid? _session;
    private int _turnsInSession;

    public int Index { get; } = index;

    /// <summary>Signs a new user in through the Development token endpoint.</summary>
    /// <param name="connectTo">The instance the client's hub connection goes to, when not the one that signed it in.</param>
    public static async Task<SimulatedClient> SignInAsync(HttpClient http, int index, string runId, CancellationToken ct, Uri? connectTo = null)
    {
        using var response = await http.PostAsJsonAsync("/dev/token", new { email = $"bench-{runId}-{index}@example.com", name = $"Bench {index}", timezone = "UTC" }, ct);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return new SimulatedClient(index, connectTo ?? http.BaseAddress!, token.GetProperty("access_token").GetString()!);
    }

    public async Task ConnectAsync(CancellationToken ct)
    {
        _connection = CoachHubConnections.Create(service, "/hubs/coach", () => Task.FromResult<string?>(token),
            json => json.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        _connection.ServerTimeout = TimeSpan.FromMinutes(2);
        _connection.On<ReplyChunk>("ReplyChunk", chunk =>
        {
            var at = Stopwatch.GetTimestamp();
            if (_turns.TryGetValue(chunk.TurnId, out var turn))
            {
                turn.OnChunk(chunk.Text, chunk.SentenceEnd, at);
            }
        });
        _connection.On<TurnCompleted>("TurnCompleted", completed =>
        {
            if (_turns.TryGetValue(completed.TurnId, out var turn))
            {
                turn.OnCompleted(completed.Content, Stopwatch.GetTimestamp());
            }
        });
        _connection.On<TurnFailed>("TurnFailed", failed =>
        {
            if (_turns.TryGetValue(failed.TurnId, out var turn))
            {
                turn.Fail($"TurnFailed: {failed.Reason}");
            }
        });
        _connection.On<ReplyRetracted>("ReplyRetracted", retracted =>
        {
            if (_turns.TryGetValue(retracted.TurnId, out var turn))
            {
                turn.Fail($"ReplyRetracted: {retracted.Reason}");
            }
        });
        await _connection.StartAsync(ct);
    }

    /// <summary>Runs one phase's turns: sessions of <see cref="BenchmarkOptions.TurnsPerSession"/>, think time between turns.</summary>
    /// <summary>
    /// Where the talker's next turn falls in its session, 0 to <paramref name="turnsPerSession"/> − 1: at 0 it starts a
    /// session (the one before stays open, as a client that moved on leaves it); otherwise it goes on in the open one,
    /// which ends <paramref name="turnsPerSession"/> − <paramref name="position"/> turns later.
    /// </summary>
    public void PlaceInSession(int position, int turnsPerSession)
    {
        if (position == 0 || _session is null)
        {
            _session = null;
            return;
        }

        _turnsInSession = Math.Clamp(position, 0, turnsPerSession);
    }

    public async Task TalkAsync(BenchmarkOptions options, int phase, ConcurrentSink sink, CancellationToken phaseOver, Random random)
    {
        await Task.Delay(options.StartOffset(random), CancellationToken.None);
        for (var i = 0; i < options.TurnsPerTalker && !phaseOver.IsCancellationRequested; i++)
        {
            TurnRecord? turn = null;
            try
            {
                var opens = false;
                if (_session is null || _turnsInSession >= options.TurnsPerSession)
                {
                    opens = true;
                    var started = await _connection.InvokeAsync<SessionStarted>("StartSession", new { session_type = "face_to_face" })
                        .WaitAsync(options.TurnTimeout);
                    _session = started.SessionId;
                    _turnsInSession = 0;
                }

                var key = $"c{Index}-p{phase}-t{i}";
                var text = $"{FakeModel.Marker(key)} {Utterance}";
                turn = new TurnRecord(key, Guid.NewGuid().ToString("N"), _session.Value, phase) { OpensSession = opens };
                sink.Turns.Enqueue(turn);
                if (options.Voice)
                {
                    await SpeakAsync(_session.Value, text, options, random);
                }

                _turns[turn.TurnId] = turn;
                _turnsInSession++;
                turn.SentAt = Stopwatch.GetTimestamp();
                await _connection.InvokeAsync<TurnAccepted>("SendTurn", _session.Value, turn.TurnId, text).WaitAsync(options.TurnTimeout);
                await turn.Done.WaitAsync(options.TurnTimeout);
            }
            catch (Exception e)
            {
                // Every failure is the turn's error in the report, whatever threw it.
                if (turn is null)
                {
                    sink.Errors.Enqueue($"StartSession: {e.GetType().Name}: {e.Message}");
                }
                else
                {
                    turn.Fail($"{e.GetType().Name}: {e.Message}");
                }
            }
            finally
            {
                if (turn is not null)
                {
                    _turns.TryRemove(turn.TurnId, out _);
                }
            }

            await Task.Delay(options.Think(random), CancellationToken.None);
        }
    }

    /// <summary>What a voice front-end sends while the user speaks: the transcript so far, a word at a time.</summary>
    private async Task SpeakAsync(Guid session, string text, BenchmarkOptions options, Random random)
    {
        var words = text.Split(' ');
        var start = Stopwatch.GetTimestamp();
        for (var w = 1; w <= words.Length; w++)
        {
            var due = options.WordInterval * (w - 1) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            await _connection.InvokeAsync("SendPartialTranscript", session, string.Join(' ', words[..w])).WaitAsync(options.TurnTimeout);
        }

        var (min, max) = options.FinalPause;
        await Task.Delay(min + (max - min) * random.NextDouble());
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
