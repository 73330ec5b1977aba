using CoachService.Privacy.Encryption;
using CoachService.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace CoachService.Tests.Reliability;

/// <summary>
/// The key ring's folder must be chosen outside Development: the default sits beside the embedded
/// database, in the same backups, and a copy of both opens every conversation. Development keeps the
/// default so the README's run command works on a fresh clone. (The whole process: <c>StartupTests</c>.)
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class KeyRingLocationTests
{
    [Theory]
    [InlineData("Production", false, true)]
    [InlineData("Staging", false, true)]
    [InlineData("Production", true, false)]
    [InlineData("Development", false, false)]
    public async Task Start_up_refuses_the_default_key_ring_folder_only_outside_Development(string environment, bool pathSet, bool refused)
    {
        using var folder = new TemporaryFolder();
        await using var services = new ServiceCollection().AddLogging()
            .AddCoachEncryption(new EncryptionOptions { KeyRingPath = folder.Path }).BuildServiceProvider();
        var start = new UserKeyRewrap(services.GetRequiredService<UserKeyRing>(), pathSet, new HostingEnvironment { EnvironmentName = environment });

        var error = await Record.ExceptionAsync(() => start.StartAsync(CancellationToken.None));

        if (refused)
        {
            var startup = Assert.IsType<StartupException>(error);
            Assert.StartsWith("DataProtection:KeyRingPath is not set.", startup.Message, StringComparison.Ordinal);
            Assert.Contains(environment, startup.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(error);
        }
    }

    [Fact]
    public void Docker_compose_runs_outside_Development_and_names_the_key_ring_folder_on_its_own_volume()
    {
        var compose = File.ReadAllText(Path.Combine(RepositoryFiles.Root(), "docker-compose.yml"));

        Assert.Contains("ASPNETCORE_ENVIRONMENT: ${ASPNETCORE_ENVIRONMENT:-Production}", compose, StringComparison.Ordinal);
        Assert.Contains("DataProtection__KeyRingPath: /keys", compose, StringComparison.Ordinal);
        Assert.Contains("- coach-keys:/keys", compose, StringComparison.Ordinal);
    }
}
