using Microsoft.AspNetCore.DataProtection;
using CoachService.Privacy.Encryption;
using CoachService.Conversations;
using CoachService.Goals;
using CoachService.Llm;
using CoachService.Llm.Recording;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Prompts;
using CoachService.Safety;
using CoachService.Wellbeing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace CoachService.Cli.Replay;

/// <summary>
/// The service's LLM layer for one prompts folder: the same chat-client pipeline (<c>AddCoachLlm</c>:
/// provider, resilience, usage, recording), the same kernel, prompt functions and task runner
/// (<c>AddCoachKernel</c>), with the recording layer in cache mode over <see cref="CountingCacheStore"/>
/// and the coach's tools sandboxed (<see cref="SandboxTools"/>).
/// </summary>
public sealed class ReplayEngine : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ReplayEngine(ServiceProvider services, string promptsFolder)
    {
        _services = services;
        PromptsFolder = promptsFolder;
    }

    public string PromptsFolder { get; }

    public LlmTaskRunner Tasks => _services.GetRequiredService<LlmTaskRunner>();

    public PromptLibrary Prompts => _services.GetRequiredService<PromptLibrary>();

    public SandboxTools Tools => _services.GetRequiredService<SandboxTools>();

    public CountingCacheStore Cache => _services.GetRequiredService<CountingCacheStore>();

    public CoachingOptions Coaching => _services.GetRequiredService<IOptions<CoachingOptions>>().Value;

    public LlmOptions Llm => _services.GetRequiredService<IOptions<LlmOptions>>().Value;

    public LocalCrisisScreen CrisisScreen { get; } = new();

    public TimeProvider Time => _services.GetRequiredService<TimeProvider>();

    /// <param name="cacheFolder">The response cache; null bypasses it (every call goes to the provider).</param>
    /// <exception cref="PromptFileException">A prompt file in the folder is broken.</exception>
    /// <exception cref="OptionsValidationException">A setting is invalid.</exception>
    public static ReplayEngine Create(IConfiguration configuration, string promptsFolder, string? cacheFolder, ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        // The recording layer is always on in cache mode; its store decides whether anything is kept.
        var settings = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Llm:Recording:Mode"] = "cache",
                ["Llm:Recording:Path"] = cacheFolder ?? Path.GetTempPath(),
                ["Prompts:Path"] = promptsFolder,
            })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IConfiguration>(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new CountingCacheStore(cacheFolder is null ? null : new FileChatRecordingStore(Path.GetFullPath(cacheFolder))));
        services.AddSingleton<IChatRecordingStore>(sp => sp.GetRequiredService<CountingCacheStore>());
        services.AddValidatedOptions<CoachingOptions>(settings, CoachingOptions.SectionName);
        services.AddCoachLlm(settings);
        services.AddSingleton<SandboxTools>();
        // The production kernel and plugins, registered before AddCoachKernel (which only adds a kernel
        // when there is none) so that the sandbox filter answers the tools.
        services.AddSingleton(sp =>
        {
            // No key is ever read or made: the sandbox answers every tool before it reaches the database.
            var noKeys = new UserKeyRing(new EphemeralDataProtectionProvider(), Options.Create(new EncryptionOptions()), NullLogger<UserKeyRing>.Instance);
            var noDatabase = new CoachDatabase(new NoDatabase(), noKeys);
            var time = sp.GetRequiredService<TimeProvider>();
            var plugins = CoachKernel.Plugins(new GoalsPlugin(new GoalBook(noDatabase, time)), new MoodPlugin(new MoodJournal(noDatabase, time)), loggerFactory);
            var kernel = CoachKernel.Create(sp.GetRequiredService<IChatClient>(), loggerFactory, plugins);
            kernel.FunctionInvocationFilters.Add(sp.GetRequiredService<SandboxTools>());
            return kernel;
        });
        services.AddCoachKernel(settings);
        // Only the prompts a conversation needs must be there: a missing one is reported for that conversation.
        services.AddSingleton(sp => new PromptLibrary(promptsFolder, sp.GetRequiredService<ILogger<PromptLibrary>>(), required: []));

        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<CoachingOptions>>().Value;
            _ = provider.GetRequiredService<PromptLibrary>();
            return new ReplayEngine(provider, Path.GetFullPath(promptsFolder));
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>A task runner for other prompts (the checks' rubrics) on this engine's kernel and cache.</summary>
    public LlmTaskRunner TasksFor(PromptLibrary library) => new(
        _services.GetRequiredService<Kernel>(),
        new PromptFunctions(library, _services.GetRequiredService<ILoggerFactory>()),
        _services.GetRequiredService<ILogger<LlmTaskRunner>>());

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>The database of a replay: there is none, and the sandbox filter makes sure none is asked for.</summary>
    private sealed class NoDatabase : IDbContextFactory<CoachDbContext>
    {
        public CoachDbContext CreateDbContext() =>
            throw new InvalidOperationException("A replay never touches the database; a coach tool was called outside the sandbox.");
    }
}
