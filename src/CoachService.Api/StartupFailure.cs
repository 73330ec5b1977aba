using CoachService.Persistence.Embedded;
using CoachService.Prompts;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace CoachService.Api;

/// <summary>
/// Runs the host and turns the failures a user can fix (a setting, a port, a folder, a prompt file)
/// into one line on standard error and exit code 1, instead of a stack trace.
/// </summary>
public static class StartupFailure
{
    /// <summary>Builds the app, lets <paramref name="configure"/> set up its pipeline and endpoints, and runs it.</summary>
    /// <remarks>Building and mapping are inside the guard too: mapping the hub, for one, reads validated options.</remarks>
    public static async Task<int> RunAsync(WebApplicationBuilder builder, Action<WebApplication> configure)
    {
        try
        {
            await using var app = builder.Build();
            configure(app);
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (Describe(e) is { } reason)
        {
            await Console.Error.WriteLineAsync($"CoachService could not start: {reason}");
            return 1;
        }
    }

    /// <summary>The one-line reason, or null for a failure that is a bug and keeps its stack trace.</summary>
    public static string? Describe(Exception error) => error switch
    {
        StartupException or EmbeddedPostgresException or PromptFileException => OneLine(error.Message),
        OptionsValidationException options => OneLine(string.Join("; ", options.Failures)),
        IOException { InnerException: AddressInUseException } bind =>
            OneLine($"{bind.Message} Choose a free port with --urls or ASPNETCORE_URLS (for example http://127.0.0.1:5081)."),
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        _ => null,
    };

    private static string OneLine(string text) =>
        string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
