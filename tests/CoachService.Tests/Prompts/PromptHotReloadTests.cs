using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Prompts;
using CoachService.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace CoachService.Tests.Prompts;

public sealed class PromptHotReloadTests : IDisposable
{
    private readonly string _folder = PromptTestFiles.CopyToTemporaryFolder();

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);

    [Fact]
    public async Task AValidEditIsSwappedInAndAnInvalidOneIsRejected()
    {
        var logger = new FakeLogger<PromptLibrary>();
        var library = new PromptLibrary(_folder, logger);
        using var watcher = Watcher(library);
        await watcher.StartAsync(CancellationToken.None).WaitAsync(PromptTestFiles.Timeout);
        var file = Path.Combine(_folder, "safety_screen.prompty");
        var original = library.Get(CoachTask.SafetyScreen);

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("temperature: 0", "temperature: 0.3"));
        var edited = await Eventually(() => library.Get(CoachTask.SafetyScreen) is { } p && p.Version != original.Version ? p : null);

        Assert.Equal(0.3f, edited.Parameters.Temperature);

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("{{message}}", "{{mesage}}"));
        var warning = await Eventually(() => logger.Collector.GetSnapshot().FirstOrDefault(e => e.Level == LogLevel.Warning));

        Assert.Contains("prompts/safety_screen.prompty:", warning.Message, StringComparison.Ordinal);
        Assert.Contains("variable 'mesage' is used but not declared in inputs", warning.Message, StringComparison.Ordinal);
        Assert.Same(edited, library.Get(CoachTask.SafetyScreen));
    }

    [Fact]
    public async Task TheWatcherIsOffOutsideDevelopmentByDefault()
    {
        var library = new PromptLibrary(_folder, NullLogger<PromptLibrary>.Instance);
        using var watcher = new PromptFileWatcher(library, Options.Create(new PromptOptions()), Environment(Environments.Production), TimeProvider.System, NullLogger<PromptFileWatcher>.Instance);

        await watcher.StartAsync(CancellationToken.None).WaitAsync(PromptTestFiles.Timeout);

        Assert.False(watcher.Enabled);
        Assert.True(new PromptFileWatcher(library, Options.Create(new PromptOptions()), Environment(Environments.Development), TimeProvider.System, NullLogger<PromptFileWatcher>.Instance).Enabled);
    }

    [Fact]
    public async Task AddCoachPromptsLoadsAtStartUpAndABrokenFileStopsIt()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "goal_suggestions.prompty"), "no front matter");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Prompts:Path"] = _folder });
        builder.Services.AddSingleton<Microsoft.Extensions.AI.IChatClient>(new ScriptedChatClient());
        builder.Services.AddCoachPrompts(builder.Configuration, CoachTask.All);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<PromptFileException>(() => host.StartAsync().WaitAsync(PromptTestFiles.Timeout));

        Assert.Equal("prompts/goal_suggestions.prompty:1: the file must start with YAML front matter between '---' lines", error.Message);
    }

    [Fact]
    public async Task AddCoachKernelRegistersALoadedLibraryAndARunnerOnTheRegisteredChatClient()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Prompts:Path"] = _folder });
        var client = ScriptedChatClient.Replying("Hello there.");
        builder.Services.AddSingleton<Microsoft.Extensions.AI.IChatClient>(client);
        // The plugins' services; no test here reaches the database.
        builder.Services.AddCoachPersistence(new CoachConnectionStrings("Host=127.0.0.1", "Host=127.0.0.1")).AddCoachDomain();
        builder.Services.AddCoachKernel(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(PromptTestFiles.Timeout);

        Assert.Equal(_folder, host.Services.GetRequiredService<PromptLibrary>().Directory);
        var inputs = new Dictionary<string, object?> { ["question_number"] = 1, ["user_name"] = "Sam", ["message"] = "hi" };
        var text = string.Concat(await host.Services.GetRequiredService<LlmTaskRunner>()
            .StreamTextAsync(CoachTask.AssessmentQuestion, inputs, null, CancellationToken.None)
            .Select(u => u.Text).ToListAsync().AsTask().WaitAsync(PromptTestFiles.Timeout));
        Assert.Equal("Hello there.", text);
        Assert.Single(client.Requests);
        await host.StopAsync().WaitAsync(PromptTestFiles.Timeout);
    }

    [Fact]
    public void WithoutAPathThePromptsFolderAboveTheContentRootIsUsed()
    {
        var contentRoot = Path.Combine(Path.GetDirectoryName(_folder)!, "src", "CoachService.Api");
        Directory.CreateDirectory(contentRoot);

        Assert.Equal(_folder, new PromptOptions().ResolveDirectory(contentRoot));
        Assert.Equal(Path.Combine(contentRoot, "mine"), new PromptOptions { Path = "mine" }.ResolveDirectory(contentRoot));
    }

    private PromptFileWatcher Watcher(PromptLibrary library) => new(
        library,
        Options.Create(new PromptOptions { WatchForChanges = true, ReloadDebounce = TimeSpan.FromMilliseconds(50) }),
        Environment(Environments.Production),
        TimeProvider.System,
        NullLogger<PromptFileWatcher>.Instance);

    private static Microsoft.Extensions.Hosting.Internal.HostingEnvironment Environment(string name) =>
        new() { EnvironmentName = name, ContentRootPath = Path.GetTempPath() };

    /// <summary>Polls until <paramref name="probe"/> returns a value, for at most the test timeout.</summary>
    private static async Task<T> Eventually<T>(Func<T?> probe) where T : class
    {
        var deadline = DateTime.UtcNow + PromptTestFiles.Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("The condition was not met within " + PromptTestFiles.Timeout);
    }
}
