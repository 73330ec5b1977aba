using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CoachService.Conversations;

/// <summary>
/// Work done after a reply, off the streaming path (the turn's emotional snapshot, onboarding
/// scoring). Tracked per session so that ending a session, shutting down and tests can wait for it.
/// </summary>
public sealed partial class BackgroundWork(ILogger<BackgroundWork> logger)
{
    private readonly ConcurrentDictionary<Task, Guid> running = new();

    public void Run(Guid sessionId, string what, Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception e)
            {
                LogFailed(logger, what, sessionId, e.GetType().Name, e.Message);
            }
        });
        running[task] = sessionId;
        _ = task.ContinueWith(t => running.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Waits for the session's (or, with null, all) background work, at most the given time.</summary>
    public async Task WhenIdleAsync(Guid? sessionId, TimeSpan timeout)
    {
        var pending = running.Where(r => sessionId is null || r.Value == sessionId).Select(r => r.Key).ToArray();
        if (pending.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(pending), Task.Delay(timeout));
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Background {What} for session {SessionId} failed: {Error}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string what, Guid sessionId, string error, string reason);
}
