using Microsoft.Extensions.Hosting;

namespace CoachService.Persistence.Embedded;

/// <summary>
/// Stops the embedded cluster when the host shuts down. The cluster itself is started before the
/// host is built (its connection string configures the DbContext), so starting is a no-op here:
/// <code>
/// var cluster = await EmbeddedPostgres.StartAsync(options, logger, ct);
/// builder.Services.AddSingleton(cluster);
/// builder.Services.AddHostedService&lt;EmbeddedPostgresLifetime&gt;();
/// </code>
/// </summary>
public sealed class EmbeddedPostgresLifetime(EmbeddedPostgres cluster) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => cluster.StopAsync(cancellationToken);
}
