using System.Collections.Concurrent;
using CoachService.Conversations;
using CoachService.Persistence;
using CoachService.Testing;
using CoachService.Tests.Conversations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;

namespace CoachService.Tests.Reliability;

/// <summary>
/// Polly's chaos strategies sit in the fake provider: each answer may be delayed, replaced by an
/// exception (the server answers 500) or by a bad outcome (an error status, a stream that drops,
/// a malformed chunk, a stream with no finish reason), each at 20 %, over 500 turns of ten users at
/// once. The whole service between them (guard, retries, orchestrator, store) must lose nothing.
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class ChaosSoakTests
{
    private const int Users = 10;
    private const int TurnsPerUser = 50;
    private const int AttemptsPerTurn = 15;
    private const string Reply = "That sounds like a full week. What would help most right now? Let us find one small step together.";
    private static readonly ResiliencePropertyKey<FakeResponse> Original = new("original");

    [Fact]
    public async Task Five_hundred_turns_under_20_percent_chaos_lose_no_turn_duplicate_nothing_and_each_ends_in_a_reply_or_an_error()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:Resilience:MaxRetryAttempts"] = "2",
            ["Llm:Resilience:BaseDelay"] = "00:00:00.001",
            ["Llm:Resilience:MaxDelay"] = "00:00:00.010",
            ["Llm:Resilience:FirstTokenTimeout"] = "00:00:20",
            ["Llm:Resilience:AttemptTimeout"] = "00:00:30",
            ["Llm:Resilience:TotalTimeout"] = "00:01:00",
            // The breaker would turn a run of bad luck into minutes of "unavailable": this test is about the turns.
            ["Llm:Resilience:MinimumThroughput"] = "1000000",
            ["Coaching:TurnBurst"] = "10000",
            ["Coaching:TurnsPerMinute"] = "10000",
        });
        harness.CoachReply = _ => FakeResponse.Reply(Reply);
        var random = new Random(20261201);
        var injected = new ConcurrentDictionary<string, int>();
        var chaos = Chaos(() => { lock (random) { return random.NextDouble(); } }, injected);
        var answer = harness.Llm.Handler;
        harness.Llm.Handler = request =>
        {
            var context = ResilienceContextPool.Shared.Get();
            try
            {
                var original = answer(request);
                context.Properties.Set(Original, original);
                return chaos.Execute(static (_, original) => original, context, original);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Users).Select(u => TalkAsync(harness, u)));

        var all = outcomes.SelectMany(o => o).ToList();
        Assert.Equal(Users * TurnsPerUser, all.Count);
        Assert.All(all, o => Assert.Equal(Reply, o.Reply)); // every turn got its reply in the end, never a doubled or partial one
        Assert.True(all.Sum(o => o.Errors) > 0, "the chaos never made a turn fail");
        Assert.All(["latency", "fault", "outcome"], kind => Assert.True(injected.GetValueOrDefault(kind) > 0, $"no {kind} injected"));

        var database = harness.App.Database.Get<CoachDatabase>();
        foreach (var (userId, turns) in outcomes.Select(o => (o[0].UserId, o)))
        {
            var stored = await database.ForUserAsync(userId, db => db.Messages.Select(m => new { m.Role, m.ClientTurnId, m.Content, m.CutOff, m.Interrupted }).ToListAsync());
            var users = stored.Where(m => m.Role == "user").ToList();
            var replies = stored.Where(m => m.Role == "assistant").ToList();
            Assert.Equal(turns.Select(t => t.TurnId).Order(), users.Select(m => m.ClientTurnId).Order()); // each accepted turn once: none lost, none doubled
            Assert.Equal(turns.Select(t => t.TurnId).Order(), replies.Select(m => m.ClientTurnId).Order()); // one reply each
            Assert.All(replies, m => Assert.Equal(Reply, m.Content));
            Assert.All(replies, m => Assert.False(m.CutOff || m.Interrupted));
        }
    }

    private sealed record TurnOutcome(Guid UserId, string TurnId, string Reply, int Errors);

    /// <summary>One user's turns, each sent again (same turn id) after an explicit error until it has its reply.</summary>
    private static async Task<List<TurnOutcome>> TalkAsync(ConversationHarness harness, int user)
    {
        await using var client = await harness.ConnectAsync($"chaos-{user}@example.com");
        var session = await client.StartSessionAsync();
        var outcomes = new List<TurnOutcome>();
        for (var i = 0; i < TurnsPerUser; i++)
        {
            var turnId = $"u{user}-t{i}";
            var text = $"Turn {i}: the week was busy and I want to slow down.";
            string? reply = null;
            var errors = 0;
            for (var attempt = 0; attempt < AttemptsPerTurn && reply is null; attempt++)
            {
                var failuresBefore = client.Failed.Count(f => f.TurnId == turnId);
                TurnAccepted accepted;
                try
                {
                    accepted = await client.SendTurnAsync(session.SessionId, turnId, text);
                }
                catch (HubException e)
                {
                    // Refused at once: it must say why, in the hub's own terms.
                    Assert.StartsWith("An error occurred while invoking 'SendTurn' on the server. HubException: unavailable:", e.Message);
                    errors++;
                    continue;
                }

                if (accepted.Reply is { } done)
                {
                    reply = done.Content;
                    break;
                }

                // Accepted: it ends in exactly one of a reply or an explicit failure.
                var ended = await CoachClient.WaitForAsync(() =>
                    client.Completed.FirstOrDefault(c => c.TurnId == turnId) is { } c ? (object)c
                    : client.Failed.Count(f => f.TurnId == turnId) > failuresBefore ? client.Failed.Last(f => f.TurnId == turnId) : null);
                if (ended is TurnCompleted completed)
                {
                    reply = completed.Content;
                }
                else
                {
                    Assert.EndsWith("send the turn again", ((TurnFailed)ended).Reason);
                    errors++;
                }
            }

            Assert.True(reply is not null, $"turn {turnId} had no reply after {AttemptsPerTurn} attempts");
            outcomes.Add(new TurnOutcome(client.UserId, turnId, reply!, errors));
        }

        Assert.Equal(client.Completed.Count, client.Completed.Select(c => c.TurnId).Distinct().Count()); // no reply told twice
        return outcomes;
    }

    private static ResiliencePipeline<FakeResponse> Chaos(Func<double> randomizer, ConcurrentDictionary<string, int> injected) =>
        new ResiliencePipelineBuilder<FakeResponse>()
            .AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                InjectionRate = 0.2,
                Latency = TimeSpan.FromMilliseconds(3),
                Randomizer = randomizer,
                OnLatencyInjected = _ => Count(injected, "latency"),
            })
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRate = 0.2,
                FaultGenerator = _ => ValueTask.FromResult<Exception?>(new InvalidOperationException("Chaos: the provider crashed.")),
                Randomizer = randomizer,
                OnFaultInjected = _ => Count(injected, "fault"),
            })
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<FakeResponse>
            {
                InjectionRate = 0.2,
                OutcomeGenerator = args =>
                {
                    var original = args.Context.Properties.GetValue(Original, FakeResponse.Reply(Reply));
                    var pick = (int)(randomizer() * 6);
                    var bad = pick switch
                    {
                        0 => FakeResponse.Error(500),
                        1 => FakeResponse.Error(503),
                        2 => FakeResponse.Error(429),
                        3 => original with { DropAfterChunks = 2, DelayBetweenChunks = TimeSpan.FromMilliseconds(1) },
                        4 => original with { MalformedChunkAfter = 1 },
                        _ => original with { OmitFinishReason = true },
                    };
                    return ValueTask.FromResult<Outcome<FakeResponse>?>(Outcome.FromResult(bad));
                },
                Randomizer = randomizer,
                OnOutcomeInjected = _ => Count(injected, "outcome"),
            })
            .Build();

    private static ValueTask Count(ConcurrentDictionary<string, int> injected, string kind)
    {
        injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
        return ValueTask.CompletedTask;
    }
}
