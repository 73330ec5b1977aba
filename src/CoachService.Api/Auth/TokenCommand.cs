using System.CommandLine;
using CoachService.Persistence;
using CoachService.Users;

namespace CoachService.Api.Auth;

/// <summary>
/// <c>CoachService.Api token --email ana@example.com</c>: creates the user if needed and prints an
/// access token signed with the configured <c>Auth:SigningKey</c>, for a deployment without an
/// external issuer (the Docker Compose stack) and outside Development, where <c>/dev/token</c> does not exist.
/// It reads the service's own settings (appsettings.json, environment) and uses its database.
/// </summary>
public static class TokenCommand
{
    public const string Name = "token";

    public static bool IsInvoked(string[] args) => args is [Name, ..];

    /// <returns>The exit code: 0 with the token on standard output, 1 with the reason on standard error.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var email = new Option<string>("--email") { Description = "The user's e-mail address; the same address is always the same user.", Required = true };
        var name = new Option<string?>("--name") { Description = "The name, for a new user." };
        var timezone = new Option<string>("--timezone") { Description = "IANA time zone, for a new user.", DefaultValueFactory = _ => "UTC" };
        var language = new Option<string>("--language") { Description = "en, pt, es or fr, for a new user.", DefaultValueFactory = _ => "en" };
        var lifetime = new Option<TimeSpan?>("--lifetime") { Description = "How long the token lasts (default Auth:DevTokenLifetime), e.g. 01:00:00." };
        var command = new RootCommand("Signs an access token for a user of this service.") { email, name, timezone, language, lifetime };
        command.SetAction((parsed, cancellationToken) => SignAsync(
            new NewUser(parsed.GetValue(email)!, parsed.GetValue(name), parsed.GetValue(timezone)!, parsed.GetValue(language)!),
            parsed.GetValue(lifetime), output, error, cancellationToken));
        return command.Parse(args[1..]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static async Task<int> SignAsync(NewUser request, TimeSpan? lifetime, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // The verb's own arguments are not settings.
        var builder = WebApplication.CreateBuilder();
        if (string.IsNullOrEmpty(builder.Configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.SigningKey)}"]))
        {
            // Development would make up a key for this process alone, which the service would refuse.
            await error.WriteLineAsync("The token command signs with Auth:SigningKey, the key the service checks: set it (for example the environment variable Auth__SigningKey).");
            return 1;
        }

        // Standard output carries only the token, so that a script can capture it.
        builder.Logging.ClearProviders().AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCoachDatabase(builder.Configuration);
        builder.Services.AddCoachDomain();
        builder.Services.AddCoachAuthentication(builder.Configuration, builder.Environment);

        DatabaseStartup? database = null;
        try
        {
            await using var app = builder.Build();
            var issuer = app.Services.GetRequiredService<CoachTokenIssuer>();
            database = app.Services.GetRequiredService<DatabaseStartup>();
            await database.StartAsync(cancellationToken);
            var user = await app.Services.GetRequiredService<UserAccounts>()
                .FindOrCreateAsync(UserIds.FromEmail(request.Email), request, cancellationToken);
            var token = issuer.Issue(user.Id, user.Email, user.Name, lifetime);
            await output.WriteLineAsync(token.AccessToken);
            await error.WriteLineAsync($"A token for user {user.Id} ({user.Email}), valid until {token.ExpiresAt:u}.");
            return 0;
        }
        catch (Exception e) when (e is DomainValidationException or DomainConflictException || StartupFailure.Describe(e) is not null)
        {
            await error.WriteLineAsync($"No token: {StartupFailure.Describe(e) ?? e.Message}");
            return 1;
        }
        finally
        {
            if (database is not null)
            {
                await database.StopAsync(CancellationToken.None);
            }
        }
    }
}
