using CoachService.Llm;
using CoachService.Llm.OpenAi;
using CoachService.Llm.Resilience;
using CoachService.Llm.Tasks;
using CoachService.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace CoachService.Tests.Llm;

/// <summary>Each fault of the provider against ResilientChatClient over the guard, the real SDK client and the fake server.</summary>
public sealed class ResilienceTests : IAsyncLifetime
{
    private FakeLlmServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeLlmServer.StartAsync().WithTimeout();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ResilientChatClient Client(LlmResilienceOptions options, TimeProvider? time = null) =>
        new(LlmTestKit.OpenAiProvider(_server.BaseUrl, "coach-model", time), options, time ?? TimeProvider.System);

    private static ChatOptions Reply => LlmTestKit.ForTask(CoachTask.CoachReply);

    [Trait("Suite", "Reliability")]
    [Theory]
    [InlineData("7", null, 7000)]
    [InlineData(null, "1500", 1500)]
    [InlineData("120", null, 30000)] // capped by MaxDelay
    public async Task Throttling_waits_as_long_as_the_server_asks(string? retryAfter, string? retryAfterMs, int expectedMs)
    {
        var time = new DelayRecordingTimeProvider();
        _server.Enqueue(FakeResponse.Error(429, retryAfter, retryAfterMs), FakeResponse.Reply("Here I am."));
        using var client = Client(new LlmResilienceOptions(), time);

        var call = client.GetResponseAsync(LlmTestKit.Conversation(), Reply);
        var expected = TimeSpan.FromMilliseconds(expectedMs);
        await time.WaitForRequestedDelayAsync(expected, LlmTestKit.Timeout);
        Assert.Single(_server.Requests);
        time.Advance(expected);

        Assert.Equal("Here I am.", (await call.WithTimeout()).Text);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_honoured()
    {
        var time = new DelayRecordingTimeProvider();
        var at = time.GetUtcNow().AddSeconds(12);
        _server.Enqueue(FakeResponse.Error(503, retryAfter: at.ToString("r")), FakeResponse.Reply("Back."));
        using var client = Client(new LlmResilienceOptions(), time);

        var call = client.GetResponseAsync(LlmTestKit.Conversation(), Reply);
        await time.WaitForRequestedDelayAsync(TimeSpan.FromSeconds(12), LlmTestKit.Timeout);
        time.Advance(TimeSpan.FromSeconds(12));

        Assert.Equal("Back.", (await call.WithTimeout()).Text);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Server_errors_are_retried_until_success(int status)
    {
        _server.Enqueue(FakeResponse.Error(status), FakeResponse.Error(status), FakeResponse.Reply("Recovered."));
        using var client = Client(LlmTestKit.FastResilience());

        var updates = await client.GetStreamingResponseAsync(LlmTestKit.Conversation(), Reply).CollectAsync();

        Assert.Equal("Recovered.", LlmTestKit.TextOf(updates));
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_attempts_with_the_provider_error()
    {
        _server.Handler = _ => FakeResponse.Error(503);
        using var client = Client(LlmTestKit.FastResilience(maxRetryAttempts: 2));

        var error = await Assert.ThrowsAsync<LlmProviderException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task Bad_request_is_not_retried()
    {
        _server.Enqueue(FakeResponse.Error(400) with { ErrorMessage = "Invalid schema." });
        using var client = Client(LlmTestKit.FastResilience());

        var error = await Assert.ThrowsAsync<LlmProviderException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();

        Assert.Equal(400, error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.Contains("HTTP 400", error.Message);
        Assert.Contains("Invalid schema.", error.Message);
        Assert.Single(_server.Requests);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Breaker_opens_after_failures_fails_fast_and_recovers_after_the_break()
    {
        var time = new FakeTimeProvider();
        var options = new LlmResilienceOptions { MaxRetryAttempts = 0, MinimumThroughput = 4, FailureRatio = 0.5, BreakDuration = TimeSpan.FromSeconds(30) };
        _server.Handler = _ => FakeResponse.Error(503);
        using var client = Client(options, time);

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<LlmProviderException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();
        }

        var open = await Assert.ThrowsAsync<LlmCircuitOpenException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();
        Assert.Equal(4, _server.Requests.Count);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(30), open.RetryAt);
        Assert.Contains("circuit open", open.Message);

        _server.Handler = _ => FakeResponse.Reply("Healthy again.");
        time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal("Healthy again.", (await client.GetResponseAsync(LlmTestKit.Conversation(), Reply).WithTimeout()).Text);
        Assert.Equal("Healthy again.", (await client.GetResponseAsync(LlmTestKit.Conversation(), Reply).WithTimeout()).Text);
        Assert.Equal(6, _server.Requests.Count);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task First_token_timeout_fires_and_cancels_the_request()
    {
        var time = new FakeTimeProvider();
        _server.Enqueue(FakeResponse.Reply("Too late.") with { DelayBeforeFirstByte = TimeSpan.FromSeconds(30) });
        using var client = Client(new LlmResilienceOptions { MaxRetryAttempts = 0 }, time);

        var call = client.GetStreamingResponseAsync(LlmTestKit.Conversation(), Reply).CollectAsync();
        var request = await _server.WaitForRequestAsync(1, LlmTestKit.Timeout);
        time.Advance(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<LlmTimeoutException>(() => call).WithTimeout();
        Assert.Equal(LlmTimeoutKind.FirstToken, error.Kind);
        await request.Aborted.WithTimeout();
    }

    [Fact]
    public async Task First_token_timeout_is_retried_and_the_retry_can_succeed()
    {
        var time = new DelayRecordingTimeProvider();
        _server.Enqueue(
            FakeResponse.Reply("Too late.") with { DelayBeforeFirstByte = TimeSpan.FromSeconds(30) },
            FakeResponse.Reply("Right on time."));
        using var client = Client(new LlmResilienceOptions { MaxRetryAttempts = 1 }, time);

        var call = client.GetStreamingResponseAsync(LlmTestKit.Conversation(), Reply).CollectAsync();
        await _server.WaitForRequestAsync(1, LlmTestKit.Timeout);
        var timersBefore = time.RequestedDelays.Count;
        time.Advance(TimeSpan.FromSeconds(20));
        // The back-off of the first retry is 0.5..1 s (BaseDelay 1 s with jitter).
        await WaitUntil(() => time.RequestedDelays.Skip(timersBefore).Any(d => d <= TimeSpan.FromSeconds(1)));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("Right on time.", LlmTestKit.TextOf(await call.WithTimeout()));
        Assert.Equal(2, _server.Requests.Count);
        // The server may notice the dropped first request after the retry's reply arrived.
        await _server.Requests[0].Aborted.WithTimeout();
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Attempt_timeout_fires()
    {
        var time = new FakeTimeProvider();
        _server.Enqueue(FakeResponse.Reply("Never.") with { DelayBeforeFirstByte = TimeSpan.FromSeconds(30) });
        using var client = Client(new LlmResilienceOptions { MaxRetryAttempts = 0 }, time);

        var call = client.GetResponseAsync(LlmTestKit.Conversation(), Reply);
        var request = await _server.WaitForRequestAsync(1, LlmTestKit.Timeout);
        time.Advance(TimeSpan.FromSeconds(60));

        var error = await Assert.ThrowsAsync<LlmTimeoutException>(() => call).WithTimeout();
        Assert.Equal(LlmTimeoutKind.Attempt, error.Kind);
        Assert.Contains("attempt timeout of 60 s", error.Message);
        await request.Aborted.WithTimeout();
    }

    private static LlmResilienceOptions TwentySecondBudget => new()
    {
        TotalTimeout = TimeSpan.FromSeconds(20), AttemptTimeout = TimeSpan.FromSeconds(20),
        FirstTokenTimeout = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(60),
    };

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Retry_after_beyond_the_remaining_budget_fails_at_once_as_unavailable()
    {
        var time = new DelayRecordingTimeProvider();
        _server.Enqueue(FakeResponse.Error(429, retryAfter: "25"), FakeResponse.Reply("Too late to matter."));
        using var client = Client(TwentySecondBudget, time);

        // No time passes: waiting 25 s could not end within the 20 s budget, so it is not waited for.
        var error = await Assert.ThrowsAsync<LlmRetryAfterBeyondBudgetException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();

        Assert.IsAssignableFrom<LlmUnavailableException>(error);
        Assert.Equal(TimeSpan.FromSeconds(25), error.Requested);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(25), error.RetryAt);
        Assert.Contains("coach is unavailable", error.Message);
        Assert.Contains("asked to wait 25 s", error.Message);
        Assert.Equal(429, Assert.IsType<LlmProviderException>(error.InnerException).StatusCode);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Retry_after_within_the_budget_is_waited_for_and_the_total_timeout_still_ends_the_call()
    {
        var time = new DelayRecordingTimeProvider();
        _server.Enqueue(FakeResponse.Error(429, retryAfter: "15"), FakeResponse.Reply("Never.") with { DelayBeforeFirstByte = TimeSpan.FromSeconds(60) });
        using var client = Client(TwentySecondBudget, time);

        var call = client.GetResponseAsync(LlmTestKit.Conversation(), Reply);
        await time.WaitForRequestedDelayAsync(TimeSpan.FromSeconds(15), LlmTestKit.Timeout);
        Assert.Single(_server.Requests);
        time.Advance(TimeSpan.FromSeconds(15));
        var retry = await _server.WaitForRequestAsync(2, LlmTestKit.Timeout);
        time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<LlmTimeoutException>(() => call).WithTimeout();
        Assert.Equal(LlmTimeoutKind.Total, error.Kind);
        await retry.Aborted.WithTimeout();
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Breaker_counts_calls_not_the_retries_of_one_call()
    {
        var options = LlmTestKit.FastResilience(maxRetryAttempts: 3);
        options.MinimumThroughput = 4;
        options.FailureRatio = 0.5;
        _server.Handler = _ => FakeResponse.Error(503);
        using var client = Client(options);

        // Each call makes four attempts; a breaker counting attempts would open during the first call.
        for (var i = 1; i <= 4; i++)
        {
            await Assert.ThrowsAsync<LlmProviderException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();
            Assert.Equal(4 * i, _server.Requests.Count);
        }

        // Four failed calls: now it opens, and the fifth call is not sent.
        await Assert.ThrowsAsync<LlmCircuitOpenException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();
        Assert.Equal(16, _server.Requests.Count);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Throttling_never_opens_the_breaker()
    {
        var options = new LlmResilienceOptions { MaxRetryAttempts = 0, MinimumThroughput = 4, FailureRatio = 0.5 };
        _server.Handler = _ => FakeResponse.Error(429, retryAfter: "2");
        using var client = Client(options, new DelayRecordingTimeProvider());

        for (var i = 0; i < 6; i++)
        {
            var error = await Assert.ThrowsAsync<LlmProviderException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();
            Assert.Equal(429, error.StatusCode);
        }

        Assert.Equal(6, _server.Requests.Count);
    }

    [Fact]
    public async Task A_provider_asking_for_two_seconds_opens_the_breaker_for_two_seconds_not_the_break_duration()
    {
        var time = new DelayRecordingTimeProvider();
        var options = new LlmResilienceOptions { MaxRetryAttempts = 0, MinimumThroughput = 4, FailureRatio = 0.5, BreakDuration = TimeSpan.FromSeconds(30) };
        _server.Handler = _ => FakeResponse.Error(503, retryAfter: "2");
        using var client = Client(options, time);

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<LlmProviderException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();
        }

        var open = await Assert.ThrowsAsync<LlmCircuitOpenException>(() => client.GetResponseAsync(LlmTestKit.Conversation(), Reply)).WithTimeout();
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(2), open.RetryAt);
        Assert.Equal(4, _server.Requests.Count);

        _server.Handler = _ => FakeResponse.Reply("Back after two seconds.");
        time.Advance(TimeSpan.FromSeconds(2.5));

        Assert.Equal("Back after two seconds.", (await client.GetResponseAsync(LlmTestKit.Conversation(), Reply).WithTimeout()).Text);
        Assert.Equal(5, _server.Requests.Count);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Mid_stream_drop_is_an_interruption_not_a_short_success_and_is_not_retried()
    {
        // The pause lets the client read the first chunks: a reset connection discards unread data,
        // and a failure before any update reached the caller is (rightly) retried.
        _server.Enqueue(new FakeResponse { Text = "You are doing better than you think", DropAfterChunks = 3, DelayBetweenChunks = TimeSpan.FromMilliseconds(150) });
        _server.Handler = _ => FakeResponse.Error(500);
        using var client = Client(LlmTestKit.FastResilience());
        var received = new List<ChatResponseUpdate>();

        var error = await Assert.ThrowsAsync<LlmStreamInterruptedException>(
            () => client.GetStreamingResponseAsync(LlmTestKit.Conversation(), Reply).CollectAsync(received)).WithTimeout();

        Assert.Equal("You are doing", LlmTestKit.TextOf(received));
        Assert.Equal(3, error.UpdatesDelivered);
        Assert.Equal("You are doing", error.DeliveredText);
        Assert.DoesNotContain("You are doing", error.Message);
        Assert.IsType<LlmProviderException>(error.InnerException);
        Assert.Single(_server.Requests);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Stream_that_stops_without_a_finish_reason_is_an_interruption()
    {
        _server.Enqueue(new FakeResponse { Text = "Half a thought", OmitFinishReason = true });
        using var client = Client(LlmTestKit.FastResilience());

        var error = await Assert.ThrowsAsync<LlmStreamInterruptedException>(
            () => client.GetStreamingResponseAsync(LlmTestKit.Conversation(), Reply).CollectAsync()).WithTimeout();

        Assert.Equal("Half a thought", error.DeliveredText);
        Assert.Single(_server.Requests);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Malformed_chunk_is_an_error()
    {
        _server.Enqueue(new FakeResponse { Text = "One two three four", MalformedChunkAfter = 2 });
        using var client = Client(LlmTestKit.FastResilience());
        var received = new List<ChatResponseUpdate>();

        var error = await Assert.ThrowsAsync<LlmStreamInterruptedException>(
            () => client.GetStreamingResponseAsync(LlmTestKit.Conversation(), Reply).CollectAsync(received)).WithTimeout();

        Assert.Equal("One two", LlmTestKit.TextOf(received));
        Assert.Contains("malformed", error.InnerException!.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Caller_cancellation_propagates_is_not_retried_and_cancels_the_request()
    {
        _server.Enqueue(FakeResponse.Reply("Slow.") with { DelayBeforeFirstByte = TimeSpan.FromSeconds(30) });
        using var client = Client(LlmTestKit.FastResilience());
        using var cts = new CancellationTokenSource();

        var call = client.GetStreamingResponseAsync(LlmTestKit.Conversation(), Reply, cts.Token).CollectAsync(cancellationToken: cts.Token);
        var request = await _server.WaitForRequestAsync(1, LlmTestKit.Timeout);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call).WithTimeout();
        await request.Aborted.WithTimeout();
        Assert.Single(_server.Requests);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(LlmTestKit.Timeout);
        while (!condition())
        {
            await Task.Delay(5, cts.Token);
        }
    }
}
