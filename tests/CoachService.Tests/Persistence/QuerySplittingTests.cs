using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CoachService.Tests.Persistence;

public sealed class QuerySplittingTests
{
    // The statement that finds a turn is compiled once a process, so whichever host runs it first would get EF's
    // warning: this compiles a query of the same kind with the service's options and its own logger.
    [Fact]
    public void A_query_reading_several_collections_is_one_statement_without_a_warning()
    {
        var logged = new List<(LogLevel Level, EventId Id)>();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLogger(logged)));
        var options = new DbContextOptionsBuilder<CoachDbContext>();
        PersistenceServiceCollectionExtensions.Configure(options, "Host=127.0.0.1;Database=coach").UseLoggerFactory(loggers);
        using var db = new CoachDbContext(options.Options);

        var sql = db.Users.Select(u => new
        {
            u.Name,
            Goals = db.Goals.Select(g => g.GoalText).ToList(),
            Sessions = db.Sessions.Select(s => s.Id).ToList(),
        }).ToQueryString();

        Assert.Single(sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), part => part.StartsWith("SELECT", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(logged, e => e.Id.Name?.Contains("MultipleCollectionInclude", StringComparison.Ordinal) == true);
    }

    private sealed class ListLogger(List<(LogLevel, EventId)> logged) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (logged) logged.Add((logLevel, eventId));
        }
        public void Dispose() { }
    }
}
