using CoachService.Goals;
using CoachService.Prompts;
using CoachService.Wellbeing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace CoachService.Llm.Tasks;

/// <summary>
/// The Semantic Kernel every LLM task runs on. It sits on the service's <see cref="IChatClient"/> (so
/// logging, usage, resilience and recording still apply), wrapped for the kernel only with SK's
/// function-invocation layer, and holds the coach's plugins and the filter that holds a speculative reply's tools.
/// </summary>
public static class CoachKernel
{
    /// <summary>Tool round trips allowed in one reply; the reply after the last is asked for without tools.</summary>
    public const int MaxToolRoundTrips = 2;

    public static Kernel Create(IChatClient chatClient, ILoggerFactory loggerFactory, IEnumerable<KernelPlugin> plugins)
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddChatClient(chatClient).UseKernelFunctionInvocation();
        builder.Services.AddSingleton<IFunctionInvocationFilter>(new HeldActorFilter());
        foreach (var plugin in plugins)
        {
            builder.Plugins.Add(plugin);
        }

        var kernel = builder.Build();
        // SK's layer allows 128 round trips and has no option for fewer; it is M.E.AI's FunctionInvokingChatClient.
        var invoking = kernel.GetRequiredService<IChatClient>().GetService<FunctionInvokingChatClient>()
            ?? throw new InvalidOperationException("The kernel's chat client has no function-invocation layer.");
        invoking.MaximumIterationsPerRequest = MaxToolRoundTrips;
        // A call of a function the kernel does not have (the model's invention, or a name it was fooled into)
        // runs nothing: its "not found" goes back to the model as the call's result and the reply goes on.
        invoking.TerminateOnUnknownCalls = false;
        return kernel;
    }

    /// <summary>The coach's plugins: the user's goals and mood check-ins.</summary>
    public static IReadOnlyList<KernelPlugin> Plugins(GoalsPlugin goals, MoodPlugin mood, ILoggerFactory loggerFactory) =>
    [
        KernelPluginFactory.CreateFromObject(goals, GoalsPlugin.PluginName, loggerFactory),
        KernelPluginFactory.CreateFromObject(mood, MoodPlugin.PluginName, loggerFactory),
    ];
}

public static class KernelServiceCollectionExtensions
{
    /// <summary>
    /// Registers the prompt files of every <see cref="CoachTask"/> (<c>AddCoachPrompts</c>), their kernel
    /// functions, the coach's plugins, the <see cref="Kernel"/> and the <see cref="LlmTaskRunner"/>. Needs
    /// the <see cref="IChatClient"/> (<c>AddCoachLlm</c>) and the domain services (<c>AddCoachDomain</c>).
    /// </summary>
    public static IServiceCollection AddCoachKernel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCoachPrompts(configuration, CoachTask.All);
        // SK logs each function call three or four times at Information (invoking, succeeded, completed,
        // under "Microsoft.SemanticKernel" and under the function's name): 8 of a turn's 11 log lines,
        // on the hot path. The call summary already logs every model call once, so SK's own lines start at Warning.
        services.AddLogging(logging =>
        {
            logging.AddFilter("Microsoft.SemanticKernel", LogLevel.Warning);
            foreach (var task in CoachTask.All)
            {
                logging.AddFilter(task, LogLevel.Warning);
            }
        });
        services.TryAddSingleton<GoalsPlugin>();
        services.TryAddSingleton<MoodPlugin>();
        services.TryAddSingleton<PromptFunctions>();
        services.TryAddSingleton(provider =>
        {
            var loggerFactory = provider.GetRequiredService<ILoggerFactory>();
            var plugins = CoachKernel.Plugins(provider.GetRequiredService<GoalsPlugin>(), provider.GetRequiredService<MoodPlugin>(), loggerFactory);
            return CoachKernel.Create(provider.GetRequiredService<IChatClient>(), loggerFactory, plugins);
        });
        services.TryAddSingleton<LlmTaskRunner>();
        return services;
    }
}
