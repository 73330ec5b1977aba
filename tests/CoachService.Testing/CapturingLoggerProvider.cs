using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CoachService.Testing;

public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Keeps every log entry at or above a level, for tests that assert what gets logged.</summary>
public sealed class CapturingLoggerProvider(LogLevel minimumLevel = LogLevel.Trace) : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public LogLevel MinimumLevel { get; } = minimumLevel;

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    /// <summary>A factory that logs only to this provider, at its level.</summary>
    public ILoggerFactory CreateFactory() => LoggerFactory.Create(b => b.SetMinimumLevel(MinimumLevel).AddProvider(this));

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception));
            }
        }
    }
}
