using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Testing.SignalR;

/// <summary>
/// A test host's hub filter that records every hub method called (name and arguments as text), so a
/// test can see what a client sent even when the service stores nothing (partial transcripts).
/// </summary>
public sealed class HubInvocationRecorder : IHubFilter
{
    public ConcurrentQueue<(string Method, IReadOnlyList<string?> Arguments)> Calls { get; } = new();

    public static HubInvocationRecorder AddTo(IServiceCollection services)
    {
        var recorder = new HubInvocationRecorder();
        services.Configure<HubOptions>(options => options.AddFilter(recorder));
        return recorder;
    }

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        Calls.Enqueue((invocation.HubMethodName, invocation.HubMethodArguments.Select(a => a?.ToString()).ToList()));
        return next(invocation);
    }
}
