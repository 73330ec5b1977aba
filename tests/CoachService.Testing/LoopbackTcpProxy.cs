using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CoachService.Testing;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a server (the test PostgreSQL), so a test can take the server
/// away from one client without touching anyone else's: <see cref="GoDown"/> breaks every relayed
/// connection and refuses new ones, as a restarting server does; <see cref="ComeBack"/> listens again
/// on the same port.
/// </summary>
public sealed class LoopbackTcpProxy : IAsyncDisposable
{
    private readonly int targetPort;
    private readonly ConcurrentDictionary<TcpClient, byte> relayed = new();
    private readonly Lock gate = new();
    private TcpListener? listener;
    private CancellationTokenSource? running;
    private Task accepting = Task.CompletedTask;

    private LoopbackTcpProxy(int targetPort, int port)
    {
        this.targetPort = targetPort;
        Port = port;
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Connections relayed since the start.</summary>
    public int ConnectionsRelayed { get; private set; }

    public static LoopbackTcpProxy Start(int targetPort)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var proxy = new LoopbackTcpProxy(targetPort, port);
        proxy.ComeBack();
        return proxy;
    }

    /// <summary>Stops listening (new connections are refused) and resets every relayed connection.</summary>
    public void GoDown()
    {
        lock (gate)
        {
            running?.Cancel();
            listener?.Stop();
            listener = null;
            foreach (var client in relayed.Keys)
            {
                try
                {
                    client.Client?.LingerState = new LingerOption(true, 0); // a reset, not a clean close
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // Already closed by its other side.
                }

                client.Dispose();
            }

            relayed.Clear();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void ComeBack()
    {
        lock (gate)
        {
            running = new CancellationTokenSource();
            listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            accepting = AcceptAsync(listener, running.Token);
        }
    }

    private async Task AcceptAsync(TcpListener from, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await from.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken ct)
    {
        var server = new TcpClient();
        relayed[client] = 0;
        relayed[server] = 0;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, targetPort, ct).ConfigureAwait(false);
            ConnectionsRelayed++;
            var a = client.GetStream();
            var b = server.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, ct), b.CopyToAsync(a, ct)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The relay ends with either side.
        }
        finally
        {
            relayed.TryRemove(client, out _);
            relayed.TryRemove(server, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        GoDown();
        await accepting.ConfigureAwait(false);
    }
}
