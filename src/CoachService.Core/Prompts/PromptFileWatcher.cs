using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Prompts;

/// <summary>
/// Reloads prompt files shortly after they change (when <see cref="PromptOptions.WatchForChanges"/>
/// is on: by default in Development). Being a hosted service that needs the <see cref="PromptLibrary"/>,
/// it also makes the library load, and a broken file fail, at start-up.
/// </summary>
public sealed class PromptFileWatcher(
    PromptLibrary library,
    IOptions<PromptOptions> options,
    IHostEnvironment environment,
    TimeProvider timeProvider,
    ILogger<PromptFileWatcher> logger) : IHostedService, IDisposable
{
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;

    public bool Enabled => options.Value.WatchForChanges ?? environment.IsDevelopment();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return Task.CompletedTask;
        }

        _debounce = timeProvider.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(library.Directory, "*" + PromptyFile.Extension)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnChanged;
        _watcher.Created += OnChanged;
        _watcher.Deleted += OnChanged;
        _watcher.Renamed += OnChanged;
        _watcher.Error += (_, _) => Schedule();
        _watcher.EnableRaisingEvents = true;
        PromptLog.Watching(logger, library.Directory);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
        _debounce?.Dispose();
        _debounce = null;
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => Schedule();

    // Editors write a file in several steps; wait until the folder is quiet before reading it.
    private void Schedule() => _debounce?.Change(options.Value.ReloadDebounce, Timeout.InfiniteTimeSpan);

    private void Reload()
    {
        if (!library.ReloadChanged())
        {
            Schedule();
        }
    }
}
