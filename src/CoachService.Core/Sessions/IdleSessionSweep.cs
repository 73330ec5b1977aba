using System.ComponentModel.DataAnnotations;
using CoachService.Conversations;
using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Sessions;

/// <summary>When open sessions count as abandoned; section "Coaching", beside the conversation settings.</summary>
public sealed class IdleSessionOptions
{
    public const string SectionName = "Coaching";

    /// <summary>An open session with no message (or start) for this long is interrupted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Coaching:IdleSessionTimeout must be between 1 minute and 30 days.")]
    public TimeSpan IdleSessionTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often the sweep looks for idle sessions.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Coaching:IdleSweepInterval must be between 1 second and 1 day.")]
    public TimeSpan IdleSweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Interrupts sessions left open (<see cref="SessionStatusRules.CanBeInterrupted"/>) past
/// <see cref="IdleSessionOptions.IdleSessionTimeout"/>, for every user at once, every
/// <see cref="IdleSessionOptions.IdleSweepInterval"/>. The app role sees one user at a time, so the
/// work is the database function <c>coach_interrupt_idle_sessions</c>, which may do this and nothing
/// else (see docs/decisions/coaching-schema.md). A session whose reply is streaming in this process is spared.
/// </summary>
/// <param name="contexts">
/// Resolved at the first sweep: hosted services are made before <see cref="DatabaseStartup"/> has
/// brought the database up, and the context factory needs its connection strings.
/// </param>
public sealed partial class IdleSessionSweep(
    Func<IDbContextFactory<CoachDbContext>> contexts,
    ActiveTurns active,
    IOptions<IdleSessionOptions> options,
    TimeProvider time,
    ILogger<IdleSessionSweep> logger,
    CarriedContexts? carried = null) : BackgroundService
{
    /// <summary>Interrupts the sessions idle now and returns their ids.</summary>
    public async Task<IReadOnlyList<Guid>> SweepAsync(CancellationToken cancellationToken = default)
    {
        // Measured on the service's clock, which also stamps sessions and messages.
        var idleSince = time.GetUtcNow() - options.Value.IdleSessionTimeout;
        var spared = active.All.Select(turn => turn.SessionId).ToArray();
        await using var db = await contexts().CreateDbContextAsync(cancellationToken);
        var swept = await db.Database
            .SqlQuery<Guid>($"SELECT swept AS \"Value\" FROM coach_interrupt_idle_sessions({idleSince}, {spared}) AS swept")
            .ToListAsync(cancellationToken);
        if (swept.Count > 0)
        {
            LogSwept(logger, swept.Count);
        }

        // Their next turn is refused: it must not send the request of a context kept from before.
        foreach (var session in swept)
        {
            carried?.Forget(session);
        }

        return swept;
    }

    private PeriodicTimer? timer;

    // The timer starts with the host, not whenever ExecuteAsync's thread gets to run, so the first
    // sweep comes one interval after start-up.
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        timer = new PeriodicTimer(options.Value.IdleSweepInterval, time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = this.timer ?? throw new InvalidOperationException("The sweep runs only once started.");
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next tick tries again; a database that is away for a while must not end the sweep.
                    LogSweepFailed(logger, e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Interrupted {Count} idle session(s)")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "The idle-session sweep failed ({Error}: {Reason}); it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, string error, string reason);
}

public static class IdleSessionSweepServiceCollectionExtensions
{
    /// <summary>The idle-session sweep and its options; needs the persistence and <see cref="ActiveTurns"/>.</summary>
    public static IServiceCollection AddIdleSessionSweep(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<IdleSessionOptions>(configuration, IdleSessionOptions.SectionName);
        services.AddSingleton(provider => new IdleSessionSweep(
            provider.GetRequiredService<IDbContextFactory<CoachDbContext>>,
            provider.GetRequiredService<ActiveTurns>(),
            provider.GetRequiredService<IOptions<IdleSessionOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<IdleSessionSweep>>(),
            provider.GetRequiredService<CarriedContexts>()));
        services.AddHostedService(provider => provider.GetRequiredService<IdleSessionSweep>());
        return services;
    }
}
