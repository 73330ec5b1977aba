using System.Text.Json;
using CoachService.Conversations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CoachService.Api.Hubs;

public static class HubServiceCollectionExtensions
{
    /// <summary>SignalR with the JSON protocol in snake_case (like the REST API), the message size limit and the hub filter.</summary>
    public static IServiceCollection AddCoachHub(this IServiceCollection services)
    {
        services.AddSingleton<CoachHubFilter>();
        // The dispatcher logs every exception a hub method throws at Error with its stack trace, expected
        // refusals included; the filter logs each call's failure once instead, at the right level.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical));
        services.AddSingleton<HubTurnListeners>();
        services.AddSignalR(hub => hub.AddFilter<CoachHubFilter>())
            .AddJsonProtocol(json => json.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddOptions<HubOptions>().Configure<IOptions<CoachingOptions>>((hub, coaching) =>
            hub.MaximumReceiveMessageSize = coaching.Value.MaxHubMessageBytes);
        return services;
    }

    public static IEndpointRouteBuilder MapCoachHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<CoachHub>("/hubs/coach").RequireAuthorization();
        return app;
    }
}
