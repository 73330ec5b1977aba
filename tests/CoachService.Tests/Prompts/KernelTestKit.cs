using CoachService.Privacy.Encryption;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Prompts;
using CoachService.Wellbeing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;

namespace CoachService.Tests.Prompts;

/// <summary>A task runner on a real kernel over a test chat client, as the service builds it.</summary>
internal static class KernelTestKit
{
    public static LlmTaskRunner Runner(IChatClient client, PromptLibrary? library = null, IEnumerable<KernelPlugin>? plugins = null) => new(
        CoachKernel.Create(client, NullLoggerFactory.Instance, plugins ?? []),
        new PromptFunctions(library ?? PromptTestFiles.RepositoryLibrary(), NullLoggerFactory.Instance),
        NullLogger<LlmTaskRunner>.Instance);
}

/// <summary>The coach's plugins over a database that is never reached, for tests that only look at requests.</summary>
internal static class ToolTestKit
{
    public static IReadOnlyList<KernelPlugin> Plugins()
    {
        var options = new DbContextOptionsBuilder<CoachDbContext>().UseNpgsql("Host=127.0.0.1").Options;
        // Never used either: no unit of work reaches the database.
        var keys = new UserKeyRing(new EphemeralDataProtectionProvider(), Options.Create(new EncryptionOptions()), NullLogger<UserKeyRing>.Instance);
        var database = new CoachDatabase(new PooledDbContextFactory<CoachDbContext>(options), keys);
        return CoachKernel.Plugins(
            new GoalsPlugin(new GoalBook(database, TimeProvider.System)),
            new MoodPlugin(new MoodJournal(database, TimeProvider.System)),
            NullLoggerFactory.Instance);
    }
}
