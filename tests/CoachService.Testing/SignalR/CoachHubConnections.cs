using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Testing.SignalR;

/// <summary>Hub connections for tests: JSON protocol over a raw WebSocket (<see cref="WebSocketConnectionFactory"/>).</summary>
public static class CoachHubConnections
{
    /// <param name="baseAddress">The server, for example http://127.0.0.1:5123/.</param>
    /// <param name="hubPath">The hub's path, for example /hubs/coach.</param>
    /// <param name="accessTokenProvider">Asked on every (re)connect; null or empty connects without a token.</param>
    /// <param name="json">Payload JSON settings; must match the server's (the coach hub uses snake_case).</param>
    public static HubConnection Create(
        Uri baseAddress, string hubPath, Func<Task<string?>> accessTokenProvider, Action<Microsoft.AspNetCore.SignalR.JsonHubProtocolOptions>? json = null)
    {
        var builder = new HubConnectionBuilder();
        builder.Services.AddSingleton<IConnectionFactory>(new WebSocketConnectionFactory(accessTokenProvider));
        builder.Services.AddSingleton<System.Net.EndPoint>(new UriEndPoint(new Uri(baseAddress, hubPath)));
        builder.AddJsonProtocol(options => json?.Invoke(options));
        return builder.Build();
    }
}
