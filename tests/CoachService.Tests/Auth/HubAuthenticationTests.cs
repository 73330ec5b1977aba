using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json;
using CoachService.Api.Auth;
using CoachService.Testing.SignalR;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace CoachService.Tests.Auth;

public sealed class HubAuthenticationTests : IAsyncLifetime
{
    private static readonly TimeSpan AwaitLimit = AuthTestHost.AwaitLimit;
    private AuthTestHost host = null!;

    public async Task InitializeAsync() => host = await AuthTestHost.StartAsync().WaitAsync(AwaitLimit);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_hub_connection_with_a_token_is_its_user_and_can_stream()
    {
        var userId = Guid.NewGuid();
        var token = host.Get<CoachTokenIssuer>().Issue(userId).AccessToken;
        await using var connection = CoachHubConnections.Create(host.BaseAddress, "/hubs/test", () => Task.FromResult<string?>(token));

        await connection.StartAsync().WaitAsync(AwaitLimit);
        var identifier = await connection.InvokeAsync<string?>("WhoAmI").WaitAsync(AwaitLimit);
        var counted = await ReadAllAsync(connection.StreamAsync<int>("Count", 3)).WaitAsync(AwaitLimit);

        Assert.Equal(userId.ToString(), identifier);
        Assert.Equal([1, 2, 3], counted);
    }

    [Fact]
    public async Task A_stopped_connection_closes_cleanly()
    {
        var token = TestTokens.Create(Guid.NewGuid());
        await using var connection = CoachHubConnections.Create(host.BaseAddress, "/hubs/test", () => Task.FromResult<string?>(token));
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };

        await connection.StartAsync().WaitAsync(AwaitLimit);
        await connection.StopAsync().WaitAsync(AwaitLimit);

        Assert.Null(await closed.Task.WaitAsync(AwaitLimit));
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task A_connection_the_server_ends_is_seen_closed()
    {
        var token = TestTokens.Create(Guid.NewGuid());
        await using var connection = CoachHubConnections.Create(host.BaseAddress, "/hubs/test", () => Task.FromResult<string?>(token));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await connection.StartAsync().WaitAsync(AwaitLimit);
        await connection.SendAsync("Leave").WaitAsync(AwaitLimit);

        await closed.Task.WaitAsync(AwaitLimit);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Trait("Suite", "Reliability")]
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hub_connection_without_a_valid_token_does_not_start(bool sendExpiredToken)
    {
        string? token = sendExpiredToken
            ? TestTokens.Create(Guid.NewGuid(), d =>
            {
                d.IssuedAt = d.NotBefore = DateTime.UtcNow.AddHours(-2);
                d.Expires = DateTime.UtcNow.AddHours(-1);
            })
            : null;
        await using var connection = CoachHubConnections.Create(host.BaseAddress, "/hubs/test", () => Task.FromResult(token));

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => connection.StartAsync().WaitAsync(AwaitLimit));

        // The client reports the upgrade's status only in the message.
        Assert.Contains("status code '401'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task The_server_closes_the_connection_when_its_token_expires()
    {
        var token = TestTokens.Create(Guid.NewGuid(), d => d.Expires = DateTime.UtcNow.AddSeconds(3));
        await using var connection = CoachHubConnections.Create(host.BaseAddress, "/hubs/test", () => Task.FromResult<string?>(token));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await connection.StartAsync().WaitAsync(AwaitLimit);

        // Nobody stops it: only the expiry can end it.
        await closed.Task.WaitAsync(AwaitLimit);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Trait("Suite", "Reliability")]
    [Theory]
    [InlineData(HttpTransportType.LongPolling)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    public async Task Transports_other_than_WebSockets_are_refused(HttpTransportType transport)
    {
        var token = TestTokens.Create(Guid.NewGuid());
        await using var connection = CoachHubConnections.Create(host.BaseAddress, "/hubs/test", () => Task.FromResult<string?>(token),
            connection: o =>
            {
                o.Transports = transport;
                o.SkipNegotiation = false;
            });

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync().WaitAsync(AwaitLimit));

        // The server offered none that the client would use: refused for the transport, not the token.
        Assert.Contains("Unable to connect to the server with any of the available transports", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Negotiation_offers_only_WebSockets_and_a_long_poll_with_its_connection_token_is_refused()
    {
        var token = TestTokens.Create(Guid.NewGuid());
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/test/negotiate?negotiateVersion=1");
        negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var negotiated = await host.Client.SendAsync(negotiate).WaitAsync(AwaitLimit);
        using var offer = JsonDocument.Parse(await negotiated.Content.ReadAsStringAsync().WaitAsync(AwaitLimit));
        var connectionToken = offer.RootElement.GetProperty("connectionToken").GetString();

        // What another user would do with a connection token they got hold of.
        using var poll = new HttpRequestMessage(HttpMethod.Get, $"/hubs/test?id={connectionToken}");
        poll.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create(Guid.NewGuid()));
        using var polled = await host.Client.SendAsync(poll).WaitAsync(AwaitLimit);

        Assert.Equal(HttpStatusCode.OK, negotiated.StatusCode);
        Assert.Equal(["WebSockets"], offer.RootElement.GetProperty("availableTransports").EnumerateArray().Select(t => t.GetProperty("transport").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, polled.StatusCode);
    }

    private static async Task<List<int>> ReadAllAsync(IAsyncEnumerable<int> stream)
    {
        var items = new List<int>();
        await foreach (var item in stream)
        {
            items.Add(item);
        }

        return items;
    }
}
