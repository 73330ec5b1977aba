using System.Net.WebSockets;
using CoachService.Api.Auth;
using CoachService.Testing.SignalR;
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
