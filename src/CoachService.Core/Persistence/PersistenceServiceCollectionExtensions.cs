using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>Registers the context factory (on the app role), <see cref="CoachDatabase"/> and the migrator.</summary>
    public static IServiceCollection AddCoachPersistence(this IServiceCollection services, CoachConnectionStrings connections)
    {
        services.AddSingleton(connections);
        services.AddPooledDbContextFactory<CoachDbContext>(options => Configure(options, connections.App));
        services.AddSingleton<CoachDatabase>();
        services.AddSingleton<DatabaseMigrator>();
        return services;
    }

    internal static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString)
            // The migrations are written by hand without a model snapshot; SchemaMatchesModelTests
            // proves the migrated schema equals the model instead.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
}
