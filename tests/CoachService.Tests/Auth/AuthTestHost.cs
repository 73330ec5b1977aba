using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using CoachService.Api.Auth;
using CoachService.Api.Hubs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoachService.Tests.Auth;

/// <summary>
/// A small real host on a loopback port with <see cref="AuthServiceCollectionExtensions.AddCoachAuthentication"/>:
/// GET /me and GET /hubs/probe answer the caller's user id, /hubs/test is <see cref="WhoAmIHub"/>;
/// all three require an authenticated user.
/// </summary>
internal sealed class AuthTestHost : IAsyncDisposable
{
    /// <summary>64 bytes, so that tests can also sign with HS384 using the same key.</summary>
    public const string SigningKey = "coach-tests-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz-ok";

    public static readonly TimeSpan AwaitLimit = TimeSpan.FromSeconds(30);

    private AuthTestHost(WebApplication app, Uri baseAddress, TestLogs logs)
    {
        App = app;
        BaseAddress = baseAddress;
        Logs = logs;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = AwaitLimit };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public TestLogs Logs { get; }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>The host, not yet started, so that a test can see start-up fail.</summary>
    public static WebApplication Build(
        string environment,
        string? signingKey,
        TestLogs logs,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? endpoints = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs);
        if (signingKey is not null)
        {
            builder.Configuration["Auth:SigningKey"] = signingKey;
        }

        builder.Configuration.AddInMemoryCollection(settings);

        builder.Services.AddCoachAuthentication(builder.Configuration, builder.Environment);
        builder.Services.AddSignalR();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", (ClaimsPrincipal user) => new UserIdResponse(user.GetUserId())).RequireAuthorization();
        app.MapGet("/hubs/probe", (ClaimsPrincipal user) => new UserIdResponse(user.GetUserId())).RequireAuthorization();
        app.MapHub<WhoAmIHub>("/hubs/test", HubServiceCollectionExtensions.ConfigureConnections).RequireAuthorization();
        endpoints?.Invoke(app);
        return app;
    }

    public static async Task<AuthTestHost> StartAsync(
        string environment = "Development",
        string? signingKey = SigningKey,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? endpoints = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var logs = new TestLogs();
        var app = Build(environment, signingKey, logs, services, endpoints, settings);
        await app.StartAsync().WaitAsync(AwaitLimit);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AuthTestHost(app, new Uri(address), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync().WaitAsync(AwaitLimit);
        await App.DisposeAsync();
    }
}

internal sealed record UserIdResponse(Guid UserId);

/// <summary>A hub that tells callers who they are and counts for them.</summary>
internal sealed class WhoAmIHub : Hub
{
    public string? WhoAmI() => Context.UserIdentifier;

    /// <summary>The server ends the connection.</summary>
    public void Leave() => Context.Abort();

    public async IAsyncEnumerable<int> Count(int to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 1; i <= to; i++)
        {
            await Task.Delay(1, cancellationToken);
            yield return i;
        }
    }
}

/// <summary>Keeps the host's log lines, to assert on warnings.</summary>
internal sealed class TestLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, EventId EventId, string Message)> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, EventId, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue((category, logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
