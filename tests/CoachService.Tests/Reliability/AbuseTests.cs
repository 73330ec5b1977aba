using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CoachService.Tests.Conversations;
using CsCheck;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace CoachService.Tests.Reliability;

/// <summary>Properties (CsCheck) over what a hostile client can send: the answer is a clear refusal, never a crash or a bill.</summary>
[Trait("Suite", "Reliability")]
public sealed class AbuseTests
{
    private static readonly string[] RefusalCodes = ["invalid_argument", "rate_limited", "conflict", "not_found", "invalid_state"];

    // Any text a JSON client can send: NUL and control characters, long runs, oversized bodies, sent back to back.
    private static readonly Gen<string> HostileText = Gen.OneOf(
        Gen.Char['\0', '\uD7FF'].Array[0, 700].Select(chars => new string(chars)),
        Gen.Const("\0"),
        Gen.Const(""),
        Gen.Const("   "),
        Gen.Int[501, 5000].Select(n => new string('x', n)),
        Gen.Char['\0', '\u001F'].Array[1, 20].Select(chars => "hi" + new string(chars)));

    [Fact]
    public async Task Hostile_turns_at_full_speed_are_refused_clearly_bill_nothing_keep_the_connection_and_log_a_line_at_most()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Coaching:MaxTurnLength"] = "500",
            ["Coaching:TurnBurst"] = "3",
            ["Coaching:TurnsPerMinute"] = "1",
        }, captureLogs: true);
        await using var ana = await harness.ConnectAsync("fuzz@example.com");
        var session = await ana.StartSessionAsync();
        var logsBefore = Count(harness);
        var accepted = new List<string>();
        var refused = 0;
        var sample = 0;

        await Check.SampleAsync(Gen.Select(HostileText, Gen.Char['\0', '\uD7FF'].Array[0, 120].Select(c => new string(c))), async (text, turnId) =>
        {
            var id = sample++ % 3 == 0 ? turnId : $"fuzz-{sample}";
            try
            {
                await ana.SendTurnAsync(session.SessionId, id, text);
                accepted.Add(id);
            }
            catch (HubException e)
            {
                var code = e.Message.Split("HubException: ", 2)[^1].Split(':')[0];
                Assert.Contains(code, RefusalCodes);
                Interlocked.Increment(ref refused);
            }

            Assert.Equal(HubConnectionState.Connected, ana.Connection.State);
        }, iter: 150, threads: 1);

        Assert.True(refused > 100, $"only {refused} of 150 were refused");
        Assert.True(accepted.Count <= 3, "the rate limit let more than its burst through");
        foreach (var id in accepted)
        {
            await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault(c => c.TurnId == id) as object ?? ana.Failed.FirstOrDefault(f => f.TurnId == id));
        }

        Assert.Equal(accepted.Count, harness.TextRequests.Count); // only accepted turns reached the model
        // A refused call logs one line; each accepted turn logs its handful (model call summaries, the turn's end).
        Assert.True(Count(harness) - logsBefore <= refused + (accepted.Count * 12), $"{Count(harness) - logsBefore} log lines for {refused} refusals");
        using var probe = harness.App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/live")).StatusCode);
    }

    // Bodies that are not what a route expects: invalid UTF-8, deep nesting, huge numbers, NULs, wrong types.
    private static readonly Gen<byte[]> HostileBody = Gen.OneOf(
        Gen.Byte.Array[0, 400],
        Gen.Int[1, 3000].Select(depth => Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth))),
        Gen.Int[1, 3000].Select(depth => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth))),
        Gen.Int[0, 4].Select(i => ((string[])["1e999999", "99999999999999999999999999999", "-1e-400", "NaN", "Infinity"])[i]).Select(n =>
            Encoding.UTF8.GetBytes($"{{\"goal_text\":\"walk\",\"goal_type\":\"health\",\"progress_percentage\":{n}}}")),
        Gen.Const(Encoding.UTF8.GetBytes("{\"goal_text\":\"a\\u0000b\",\"goal_type\":\"health\"}")),
        Gen.Const(new byte[] { 0x7B, 0x22, 0x67, 0x6F, 0x61, 0x6C, 0x5F, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D }),
        Gen.Int[1, 5000].Select(n => Encoding.UTF8.GetBytes($"{{\"goal_text\":{n},\"goal_type\":[true]}}")));

    [Fact]
    public async Task Hostile_REST_bodies_are_4xx_problems_never_5xx_and_the_process_stays_up()
    {
        await using var harness = await ConversationHarness.StartAsync(captureLogs: true);
        await using var ana = await harness.ConnectAsync("rest-fuzz@example.com");
        using var rest = harness.App.CreateClient();
        rest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ana.Token);
        var routes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/api/goals"), (HttpMethod.Post, "/api/mood-checkins"), (HttpMethod.Patch, "/api/me"), (HttpMethod.Put, "/api/me/preferences"),
        };

        await Check.SampleAsync(Gen.Select(HostileBody, Gen.Int[0, routes.Length - 1]), async (body, route) =>
        {
            using var request = new HttpRequestMessage(routes[route].Method, routes[route].Path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await rest.SendAsync(request);
            var status = (int)response.StatusCode;
            Assert.True(status is >= 200 and < 500, $"{routes[route].Method} {routes[route].Path} answered {status}");
            if (status >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }, iter: 120, threads: 1);

        Assert.Empty(harness.Llm.Requests);
        Assert.DoesNotContain(harness.App.Logs!.GetSnapshot(), e => e.Level >= LogLevel.Error);
        Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync("/health/live")).StatusCode);
    }

    private static int Count(ConversationHarness harness) =>
        harness.App.Logs!.GetSnapshot().Count(e => e.Level >= LogLevel.Information && e.Category?.StartsWith("CoachService", StringComparison.Ordinal) == true);
}
