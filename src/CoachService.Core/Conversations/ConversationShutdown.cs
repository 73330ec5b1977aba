using Microsoft.Extensions.Hosting;

namespace CoachService.Conversations;

/// <summary>
/// When the service stops, replies still being generated are stopped and stored as interrupted, and
/// the turns' background work finishes, before the database goes away (it stops after this service).
/// </summary>
internal sealed class ConversationShutdown(ActiveTurns active, BackgroundWork background) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var turns = active.All;
        foreach (var turn in turns)
        {
            turn.Stop(StopReason.Disconnected);
        }

        await Task.WhenAll(turns.Select(t => t.Done)).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await background.WhenIdleAsync(null, TimeSpan.FromSeconds(10));
    }
}
