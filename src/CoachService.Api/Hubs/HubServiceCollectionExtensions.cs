using System.Text.Json;
using CoachService.Conversations;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CoachService.Api.Hubs;

public static class HubServiceCollectionExtensions
{
    /// <summary>The connection string that switches SignalR's Redis backplane on (ConnectionStrings:Redis).</summary>
    public const string RedisConnectionStringName = "Redis";

    /// <summary>
    /// SignalR with the JSON protocol in snake_case (like the REST API), the message size limit and the hub
    /// filter; with <c>ConnectionStrings:Redis</c> set, on the Redis backplane, so an event sent by one
    /// instance reaches a connection on another (docs/decisions/scale-out.md).
    /// </summary>
    public static IServiceCollection AddCoachHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CoachHubFilter>();
        // The dispatcher logs every exception a hub method throws at Error with its stack trace, expected
        // refusals included; the filter logs each call's failure once instead, at the right level.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical));
        services.AddSingleton<HubTurnListeners>();
        services.AddSingleton<ITurnListeners>(provider => provider.GetRequiredService<HubTurnListeners>());
        var signalR = services.AddSignalR(hub => hub.AddFilter<CoachHubFilter>())
            .AddJsonProtocol(json => json.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        if (configuration.GetConnectionString(RedisConnectionStringName) is { Length: > 0 } redis)
        {
            signalR.AddStackExchangeRedis(redis, backplane =>
            {
                // One Redis may serve several deployments; and the service starts (alone) while Redis is down.
                backplane.Configuration.ChannelPrefix = RedisChannel.Literal("coach");
                backplane.Configuration.AbortOnConnectFail = false;
            });
        }

        // The same JSON protocol, letting clients leave out trailing optional arguments (SendPartialTranscript's stable flag).
        services.RemoveAll<IHubProtocol>();
        services.AddSingleton<IHubProtocol>(provider => new OptionalArgumentsHubProtocol(
            new JsonHubProtocol(provider.GetRequiredService<IOptions<JsonHubProtocolOptions>>()), typeof(CoachHub)));
        services.AddOptions<HubOptions>().Configure<IOptions<CoachingOptions>>((hub, coaching) =>
            hub.MaximumReceiveMessageSize = coaching.Value.MaxHubMessageBytes);
        return services;
    }

    public static IEndpointRouteBuilder MapCoachHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<CoachHub>("/hubs/coach", ConfigureConnections).RequireAuthorization();
        return app;
    }

    /// <summary>
    /// WebSockets only: a long-polling or server-sent-events connection is driven by plain requests
    /// that carry its connection token, so anyone holding that token could act as the connection's
    /// user; a WebSocket is one request, authenticated once. The connection closes when its access
    /// token expires, so an expired token cannot keep talking to the coach.
    /// </summary>
    public static void ConfigureConnections(HttpConnectionDispatcherOptions options)
    {
        options.Transports = HttpTransportType.WebSockets;
        options.CloseOnAuthenticationExpiration = true;
    }
}
