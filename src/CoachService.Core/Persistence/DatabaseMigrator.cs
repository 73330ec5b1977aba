using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CoachService.Persistence;

/// <summary>Applies the EF Core migrations as the owner login, and reports whether any are pending.</summary>
public sealed partial class DatabaseMigrator(CoachConnectionStrings connections, ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = CreateOwnerContext();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            LogApplying(logger, pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
    }

    /// <summary>The migrations that the database still lacks (read through the app role).</summary>
    public static async Task<IReadOnlyList<string>> PendingAsync(CoachDbContext db, CancellationToken cancellationToken) =>
        (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();

    internal CoachDbContext CreateOwnerContext()
    {
        var options = new DbContextOptionsBuilder<CoachDbContext>();
        PersistenceServiceCollectionExtensions.Configure(options, connections.Owner);
        return new CoachDbContext(options.Options);
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Applying {Count} database migration(s): {Migrations}")]
    private static partial void LogApplying(ILogger logger, int count, string migrations);
}
