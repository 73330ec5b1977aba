using CoachService.Persistence.Embedded;
using CoachService.Privacy.Encryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// The service's database: <c>ConnectionStrings:Coach</c> (the owner) with <c>ConnectionStrings:CoachApp</c>
    /// (the service's own login) when set, otherwise an embedded PostgreSQL
    /// cluster (section "Database"). Started and migrated by <see cref="DatabaseStartup"/> when the host starts.
    /// </summary>
    public static IServiceCollection AddCoachDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<EmbeddedPostgresOptions>(configuration, EmbeddedPostgresOptions.SectionName);
        // First: a key ring in the wrong place stops start-up before the database is touched.
        services.AddCoachEncryption(configuration);
        services.AddSingleton(provider => new DatabaseStartup(
            configuration.GetConnectionString(DatabaseStartup.ConnectionStringName),
            configuration.GetConnectionString(DatabaseStartup.AppConnectionStringName),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmbeddedPostgresOptions>>().Value,
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        // Registered before every other hosted service that needs the database: started first, stopped last.
        services.AddHostedService(provider => provider.GetRequiredService<DatabaseStartup>());
        services.AddSingleton(provider => provider.GetRequiredService<DatabaseStartup>().Connections);
        return AddContexts(services);
    }

    /// <summary>
    /// Registers the context factory (on the app role), <see cref="CoachDatabase"/> and the migrator for a known
    /// database, with the key ring of <paramref name="encryption"/> (by default the embedded run's folder).
    /// </summary>
    public static IServiceCollection AddCoachPersistence(this IServiceCollection services, CoachConnectionStrings connections, EncryptionOptions? encryption = null)
    {
        services.AddSingleton(connections);
        services.AddCoachEncryption(encryption ?? new EncryptionOptions());
        return AddContexts(services);
    }

    private static IServiceCollection AddContexts(IServiceCollection services)
    {
        services.AddSingleton<UserScopeInterceptor>();
        services.AddPooledDbContextFactory<CoachDbContext>((provider, options) =>
            Configure(options, provider.GetRequiredService<CoachConnectionStrings>().App)
                .AddInterceptors(provider.GetRequiredService<UserScopeInterceptor>()));
        services.AddSingleton<UserDataVersions>();
        services.AddSingleton<CoachDatabase>();
        services.AddSingleton<DatabaseMigrator>();
        return services;
    }

    // EF's PendingModelChangesWarning stays an error: migrating with a model that no migration
    // describes fails at start-up rather than leaving the schema behind the code.
    // Queries that read more than one collection (the statement that finds a turn reads three) are one statement by
    // design, a round trip each saved before the model's request; saying so keeps EF from warning at every start.
    internal static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery));
}
