using System.Net;
using System.Net.Http.Headers;
using CoachService.Persistence;
using CoachService.Testing;
using CoachService.Tests.Conversations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CoachService.Tests.Reliability;

[Trait("Suite", "Reliability")]
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task PostgreSQL_gone_mid_conversation_gives_clear_errors_and_503s_and_the_service_recovers_by_itself_losing_nothing()
    {
        LoopbackTcpProxy? proxy = null;
        await using var harness = await ConversationHarness.StartAsync(databaseSettings: database =>
        {
            // Only the service's runtime login goes through the relay; the test's own checks use the owner login directly.
            var app = new NpgsqlConnectionStringBuilder(database.Connections.App);
            proxy = LoopbackTcpProxy.Start(app.Port);
            app.Port = proxy.Port;
            return new Dictionary<string, string?> { ["ConnectionStrings:CoachApp"] = app.ConnectionString };
        });
        await using var relay = proxy!;
        await using var ana = await harness.ConnectAsync("outage@example.com");
        using var rest = harness.App.CreateClient();
        rest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ana.Token);
        var session = await ana.StartSessionAsync();
        var before = await ana.TalkAsync(session.SessionId, "t1", "Before the outage.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault()); // the turn's background work is done

        relay.GoDown(); // every connection reset, new ones refused: a restarting server

        using (var down = await rest.GetAsync("/api/sessions"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.NotNull(down.Headers.RetryAfter);
            var body = await down.Content.ReadAsStringAsync();
            Assert.Contains("database", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Npgsql", body, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        }

        var refused = await Assert.ThrowsAsync<HubException>(() => ana.SendTurnAsync(session.SessionId, "t2", "During the outage."));
        Assert.Contains("unavailable: the database cannot be reached", refused.Message);
        using (var probe = harness.App.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/live")).StatusCode); // the process is up
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/health/ready")).StatusCode);
        }

        relay.ComeBack();

        // No restart of the service: the next requests reach the database again (the pool drops its dead connections).
        await CoachClient.WaitForAsync(() =>
        {
            using var response = rest.GetAsync("/api/sessions").GetAwaiter().GetResult();
            return response.StatusCode == HttpStatusCode.OK ? response : null;
        });
        var during = await ana.TalkAsync(session.SessionId, "t2", "During the outage.");
        var after = await ana.TalkAsync(session.SessionId, "t3", "After the outage.");

        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId,
            db => db.Messages.OrderBy(m => m.SequenceNumber).Select(m => new { m.Role, m.ClientTurnId, m.Content }).ToListAsync());
        Assert.Equal(
            [("user", "t1"), ("assistant", "t1"), ("user", "t2"), ("assistant", "t2"), ("user", "t3"), ("assistant", "t3")],
            stored.Select(m => (m.Role, m.ClientTurnId)));
        Assert.Equal([before.Content, during.Content, after.Content], stored.Where(m => m.Role == "assistant").Select(m => m.Content));
        Assert.True(relay.ConnectionsRelayed > 1);
    }
}
