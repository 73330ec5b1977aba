using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Testing.SignalR;

/// <summary>
/// A test host's hook that drops hub connections from the server's side, as a network failure or a
/// restarted proxy would: <see cref="DropAll"/> aborts every open WebSocket under <c>/hubs/</c> (the
/// client sees the socket die, not a polite close), and while <see cref="RefuseNew"/> is on new hub
/// requests get 503, so a client stays offline until it is turned off. Added to a test host with
/// <see cref="AddTo"/>; the service itself has no such hook.
/// </summary>
public sealed class HubConnectionDropper : IStartupFilter
{
    private readonly ConcurrentDictionary<HttpContext, byte> open = new();

    public bool RefuseNew { get; set; }

    public int OpenConnections => open.Count;

    public static HubConnectionDropper AddTo(IServiceCollection services)
    {
        var dropper = new HubConnectionDropper();
        services.AddSingleton(dropper);
        services.AddSingleton<IStartupFilter>(dropper);
        return dropper;
    }

    /// <summary>Aborts every open hub connection; answers how many there were.</summary>
    public int DropAll()
    {
        var dropped = 0;
        foreach (var context in open.Keys)
        {
            context.Abort();
            dropped++;
        }

        return dropped;
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (!context.Request.Path.StartsWithSegments("/hubs"))
            {
                await nextMiddleware(context);
                return;
            }

            if (RefuseNew)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            open.TryAdd(context, 0);
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                open.TryRemove(context, out _);
            }
        });
        next(app);
    };
}
