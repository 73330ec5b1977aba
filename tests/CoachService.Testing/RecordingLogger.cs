using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CoachService.Testing;

/// <summary>One log line a <see cref="RecordingLogger{T}"/> received.</summary>
public sealed record LogEntry(LogLevel Level, EventId EventId, string Message);

/// <summary>A logger that keeps what it is given, so tests can assert on log lines.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception)));
}
