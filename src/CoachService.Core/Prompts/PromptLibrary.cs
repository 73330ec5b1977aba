using System.Collections.Frozen;
using Microsoft.Extensions.Logging;

namespace CoachService.Prompts;

/// <summary>
/// The prompt files of the service, loaded and validated when it is created: a broken or missing
/// file throws <see cref="PromptFileException"/>, which stops start-up. Reloads swap in a new
/// immutable snapshot, so a request always sees one consistent version of each prompt.
/// </summary>
public sealed class PromptLibrary
{
    private readonly ILogger<PromptLibrary> _logger;
    private readonly IReadOnlyCollection<string> _required;
    private readonly Lock _reloadLock = new();
    private volatile FrozenDictionary<string, PromptTemplate> _prompts;

    /// <param name="required">Prompts that must exist (the tasks of the service); a missing one fails the load.</param>
    public PromptLibrary(string directory, ILogger<PromptLibrary> logger, IReadOnlyCollection<string>? required = null)
    {
        Directory = Path.GetFullPath(directory);
        _logger = logger;
        _required = required ?? [];
        _prompts = LoadAll();
        PromptLog.Loaded(logger, _prompts.Count, Directory);
    }

    /// <summary>The folder the prompts are read from.</summary>
    public string Directory { get; }

    public IReadOnlyCollection<PromptTemplate> All => _prompts.Values;

    /// <summary>The current version of the prompt of <paramref name="task"/>.</summary>
    /// <exception cref="ArgumentException">No prompt has that name.</exception>
    public PromptTemplate Get(string task) => _prompts.TryGetValue(task, out var prompt)
        ? prompt
        : throw new ArgumentException($"There is no prompt '{task}' in {Directory}.", nameof(task));

    private string DisplayPath(string file) => $"{Path.GetFileName(Directory)}/{Path.GetFileName(file)}";

    private FrozenDictionary<string, PromptTemplate> LoadAll()
    {
        var errors = new List<PromptFileError>();
        var prompts = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        IEnumerable<string> files = System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory, "*" + PromptyFile.Extension).Order(StringComparer.Ordinal)
            : [];
        foreach (var file in files)
        {
            try
            {
                var prompt = PromptyFile.Load(file, DisplayPath(file));
                prompts[prompt.Name] = prompt;
            }
            catch (PromptFileException e)
            {
                errors.AddRange(e.Errors);
            }
        }

        foreach (var task in _required.Where(t => !prompts.ContainsKey(t) && !errors.Any(e => Path.GetFileNameWithoutExtension(e.File) == t)))
        {
            errors.Add(new PromptFileError(DisplayPath(task + PromptyFile.Extension), 0, $"the prompt of task '{task}' is missing (looked in {Directory})"));
        }

        return errors.Count > 0 ? throw new PromptFileException(errors) : prompts.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// Reloads the files whose content changed. A valid edit replaces its prompt; an invalid one is
    /// logged as a warning with file, line and reason, and the last good version stays.
    /// </summary>
    /// <returns>False when a file could not be read (an editor still writing it): try again later.</returns>
    public bool ReloadChanged()
    {
        lock (_reloadLock)
        {
            var current = _prompts;
            var next = new Dictionary<string, PromptTemplate>(current, StringComparer.Ordinal);
            var complete = true;
            foreach (var name in current.Keys)
            {
                var file = Path.Combine(Directory, name + PromptyFile.Extension);
                if (!File.Exists(file))
                {
                    PromptLog.FileMissing(_logger, DisplayPath(file));
                }
            }

            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + PromptyFile.Extension))
            {
                byte[] bytes;
                try
                {
                    bytes = File.ReadAllBytes(file);
                }
                catch (IOException e)
                {
                    PromptLog.ReadFailed(_logger, DisplayPath(file), e);
                    complete = false;
                    continue;
                }

                var name = Path.GetFileNameWithoutExtension(file);
                try
                {
                    var prompt = PromptyFile.Parse(bytes, DisplayPath(file));
                    if (current.TryGetValue(name, out var old) && old.Version == prompt.Version)
                    {
                        continue;
                    }

                    next[name] = prompt;
                    PromptLog.Reloaded(_logger, name, old?.Version ?? "(new)", prompt.Version);
                }
                catch (PromptFileException e)
                {
                    foreach (var error in e.Errors)
                    {
                        PromptLog.ReloadRejected(_logger, error);
                    }
                }
            }

            _prompts = next.ToFrozenDictionary(StringComparer.Ordinal);
            return complete;
        }
    }
}
