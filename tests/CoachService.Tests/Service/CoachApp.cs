using System.Net;
using CoachService.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CoachService.Tests.Service;

/// <summary>
/// The real service (Program) on Kestrel on a loopback port, on a fresh migrated database of the
/// test cluster. Settings are passed as they would be in appsettings.json.
/// </summary>
public sealed class CoachApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly Action<IServiceCollection>? services;
    private readonly bool ownsDatabase;

    private CoachApp(CoachTestDatabase database, Dictionary<string, string?> settings, FakeLogCollector? logs, Action<IServiceCollection>? services, bool ownsDatabase = true)
    {
        Database = database;
        this.ownsDatabase = ownsDatabase;
        this.settings = settings;
        this.services = services;
        Logs = logs;
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    public CoachTestDatabase Database { get; }

    /// <summary>Every log entry of the host at Debug and above, when asked for.</summary>
    public FakeLogCollector? Logs { get; }

    /// <summary>The server's loopback address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress
    {
        get
        {
            using var client = CreateClient();
            return client.BaseAddress!;
        }
    }

    /// <param name="services">Replaces registrations after the app's own, e.g. the <c>IChatClient</c> with a scripted one.</param>
    /// <param name="databaseSettings">Settings that need the fresh database, e.g. its runtime connection through a proxy.</param>
    public static async Task<CoachApp> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, bool captureLogs = false, Action<IServiceCollection>? services = null,
        Func<CoachTestDatabase, IReadOnlyDictionary<string, string?>>? databaseSettings = null)
    {
        var database = await CoachTestDatabase.CreateAsync();
        return Start(database, settings, captureLogs, services, ownsDatabase: true, databaseSettings);
    }

    /// <summary>Another instance of the service on a database the caller owns (and disposes), as a scale-out runs.</summary>
    public static CoachApp StartOn(
        CoachTestDatabase database, IReadOnlyDictionary<string, string?>? settings = null, bool captureLogs = false, Action<IServiceCollection>? services = null) =>
        Start(database, settings, captureLogs, services, ownsDatabase: false);

    private static CoachApp Start(
        CoachTestDatabase database, IReadOnlyDictionary<string, string?>? settings, bool captureLogs, Action<IServiceCollection>? services, bool ownsDatabase,
        Func<CoachTestDatabase, IReadOnlyDictionary<string, string?>>? databaseSettings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Coach"] = database.Connections.Owner,
            ["ConnectionStrings:CoachApp"] = database.Connections.App,
            ["DataProtection:KeyRingPath"] = database.KeyRingPath,
            ["Llm:Provider"] = "offline",
            ["Prompts:WatchForChanges"] = "false",
        };
        foreach (var (key, value) in (settings ?? new Dictionary<string, string?>()).Concat(databaseSettings?.Invoke(database) ?? new Dictionary<string, string?>()))
        {
            all[key] = value;
        }

        var app = new CoachApp(database, all, captureLogs ? new FakeLogCollector() : null, services, ownsDatabase);
        app.StartServer();
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        if (Logs is { } logs)
        {
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(logs)));
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }
}
