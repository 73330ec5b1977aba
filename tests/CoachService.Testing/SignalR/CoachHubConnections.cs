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
    public static HubConnection Create(Uri baseAddress, string hubPath, Func<Task<string?>> accessTokenProvider)
    {
        var builder = new HubConnectionBuilder();
        builder.Services.AddSingleton<IConnectionFactory>(new WebSocketConnectionFactory(accessTokenProvider));
        builder.Services.AddSingleton<System.Net.EndPoint>(new UriEndPoint(new Uri(baseAddress, hubPath)));
        builder.AddJsonProtocol();
        return builder.Build();
    }
}
