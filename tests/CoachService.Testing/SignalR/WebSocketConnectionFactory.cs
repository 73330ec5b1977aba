using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace CoachService.Testing.SignalR;

/// <summary>
/// Connects a SignalR <c>HubConnection</c> straight over a WebSocket, skipping negotiation (the full
/// client's HTTP transport does not restore here). The access token travels as the
/// <c>access_token</c> query parameter, as browsers send it.
/// </summary>
public sealed class WebSocketConnectionFactory(Func<Task<string?>> accessTokenProvider) : IConnectionFactory
{
    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not UriEndPoint { Uri: var uri })
        {
            throw new ArgumentException($"Expected a {nameof(UriEndPoint)}, got {endpoint.GetType().Name}.", nameof(endpoint));
        }

        var address = new UriBuilder(uri) { Scheme = uri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
        var token = await accessTokenProvider();
        if (!string.IsNullOrEmpty(token))
        {
            var query = address.Query.TrimStart('?');
            address.Query = (query.Length > 0 ? query + "&" : "") + "access_token=" + Uri.EscapeDataString(token);
        }

        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(address.Uri, cancellationToken);
        }
        catch (WebSocketException e) when (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
        {
            // Say which status the server answered the upgrade with (401 without a valid token).
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new HttpRequestException($"The server refused the WebSocket with {(int)status} {status}.", e, status);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new WebSocketConnection(socket, uri);
    }
}
