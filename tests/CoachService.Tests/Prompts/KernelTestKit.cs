using CoachService.Llm.Tasks;
using CoachService.Prompts;
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
