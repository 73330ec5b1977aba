using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Testing.SignalR;

/// <summary>
/// Hub connections for tests, as the service wants clients to connect: SignalR's own client over a
/// WebSocket with no negotiate request, the token in the <c>access_token</c> query parameter (as
/// browsers send it).
/// </summary>
public static class CoachHubConnections
{
    /// <param name="baseAddress">The server, for example http://127.0.0.1:5123/.</param>
    /// <param name="hubPath">The hub's path, for example /hubs/coach.</param>
    /// <param name="accessTokenProvider">Asked on every (re)connect; null or empty connects without a token.</param>
    /// <param name="json">Payload JSON settings; must match the server's (the coach hub uses snake_case).</param>
    /// <param name="connection">Changes to the transport settings, for tests of other transports.</param>
    public static HubConnection Create(
        Uri baseAddress,
        string hubPath,
        Func<Task<string?>> accessTokenProvider,
        Action<JsonHubProtocolOptions>? json = null,
        Action<HttpConnectionOptions>? connection = null) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, hubPath), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = accessTokenProvider;
                connection?.Invoke(options);
            })
            .AddJsonProtocol(options => json?.Invoke(options))
            .Build();
}
