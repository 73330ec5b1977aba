using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace CoachService.Testing.SignalR;

/// <summary>
/// A connected <see cref="ClientWebSocket"/> as a <see cref="ConnectionContext"/>: what arrives on
/// the socket is written to <see cref="Transport"/>'s input, what is written to its output is sent.
/// Either side may close: a close frame from the server completes the input; completing the output
/// (or disposing) sends a close frame and waits briefly for the server's answer.
/// </summary>
internal sealed class WebSocketConnection : ConnectionContext
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket socket;
    private readonly Pipe incoming = new();
    private readonly Pipe outgoing = new();
    private readonly CancellationTokenSource closed = new();
    private readonly Task receiving;
    private readonly Task sending;
    private int disposed;

    public WebSocketConnection(ClientWebSocket socket, Uri uri)
    {
        this.socket = socket;
        RemoteEndPoint = new UriEndPoint(uri);
        Transport = new DuplexPipe(incoming.Reader, outgoing.Writer);
        ConnectionClosed = closed.Token;
        receiving = ReceiveAsync();
        sending = SendAsync();
    }

    public override string ConnectionId { get; set; } = Guid.NewGuid().ToString("N");

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override void Abort() => socket.Abort();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        // Ends the send loop, which closes our side of the socket; then the server closes its side.
        await outgoing.Writer.CompleteAsync();
        try
        {
            await Task.WhenAll(sending, receiving).WaitAsync(CloseTimeout);
        }
        catch (TimeoutException)
        {
            socket.Abort();
        }

        await incoming.Reader.CompleteAsync();
        socket.Dispose();
        closed.Dispose();
    }

    private async Task ReceiveAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var buffer = incoming.Writer.GetMemory(4096);
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    break;
                }

                incoming.Writer.Advance(result.Count);
                var flushed = await incoming.Writer.FlushAsync();
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            failure = socket.State == WebSocketState.Aborted ? null : e;
        }
        finally
        {
            await incoming.Writer.CompleteAsync(failure);

            // The server is gone: nothing more can be sent.
            outgoing.Reader.CancelPendingRead();
            await closed.CancelAsync();
        }
    }

    private async Task SendAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var result = await outgoing.Reader.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                foreach (var segment in result.Buffer)
                {
                    // SignalR's JSON protocol frames its own messages; each segment can go as one text message.
                    await socket.SendAsync(segment, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }

                outgoing.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    if (socket.State == WebSocketState.Open)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            failure = e;
        }
        finally
        {
            await outgoing.Reader.CompleteAsync(failure);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
