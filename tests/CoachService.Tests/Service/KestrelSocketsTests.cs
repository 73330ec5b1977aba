using CoachService.Tests.Conversations;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CoachService.Tests.Service;

/// <summary>Kestrel's socket transport is tuned under Kestrel:Sockets (README, Configuration).</summary>
public sealed class KestrelSocketsTests
{
    [Fact]
    public async Task Socket_transport_options_come_from_Kestrel_Sockets_and_a_turn_streams_with_inline_scheduling()
    {
        await using var harness = await ConversationHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Kestrel:Sockets:UnsafePreferInlineScheduling"] = "true",
            ["Kestrel:Sockets:IOQueueCount"] = "1",
        });
        var sockets = harness.App.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        Assert.True(sockets.UnsafePreferInlineScheduling);
        Assert.Equal(1, sockets.IOQueueCount);

        await using var ana = await harness.ConnectAsync("inline-sockets@example.com");
        var session = await ana.StartSessionAsync();
        var reply = await ana.TalkAsync(session.SessionId, "t1", "Hello.");
        var chunks = await ana.ReadChunksAsync("t1", 1);
        Assert.NotEmpty(reply.Content);
        Assert.StartsWith(chunks[0].Text, reply.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task By_default_Kestrel_hands_socket_work_to_the_thread_pool()
    {
        await using var app = await CoachApp.StartAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.False(app.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }
}
