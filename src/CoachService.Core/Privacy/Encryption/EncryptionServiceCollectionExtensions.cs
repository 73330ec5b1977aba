using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CoachService.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoachService.Privacy.Encryption;

public static class EncryptionServiceCollectionExtensions
{
    /// <summary>Every instance of the service shares the key ring under this name.</summary>
    public const string ApplicationName = "CoachService";

    /// <summary>
    /// The key ring (section "DataProtection"), the per-user keys it wraps, re-wrapping at start-up of
    /// user keys an older ring key wrapped, and the encryption of text stored before encryption at rest
    /// (<see cref="PlaintextEncryption"/>). The ring's folder is read here, when the services are
    /// registered, because Data Protection takes it then; the options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddCoachEncryption(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<EncryptionOptions>(configuration, EncryptionOptions.SectionName);
        var settings = new EncryptionOptions();
        try
        {
            configuration.GetSection(EncryptionOptions.SectionName).Bind(settings);
        }
        catch (InvalidOperationException)
        {
            // The validated options above report the bad value, naming it, when the host starts.
        }

        AddKeyRing(services, settings);
        var keyRingPathSet = !string.IsNullOrWhiteSpace(configuration[$"{EncryptionOptions.SectionName}:{nameof(EncryptionOptions.KeyRingPath)}"]);
        services.AddHostedService(provider => new UserKeyRewrap(
            provider.GetRequiredService<UserKeyRing>(), keyRingPathSet, provider.GetRequiredService<IHostEnvironment>()));
        services.AddSingleton(provider => new PlaintextEncryption(
            provider.GetRequiredService<CoachDatabase>,
            provider.GetRequiredService<IDbContextFactory<CoachDbContext>>,
            provider.GetRequiredService<UserKeyRing>(),
            provider.GetRequiredService<IOptions<EncryptionOptions>>(),
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetRequiredService<ILogger<PlaintextEncryption>>()));
        services.AddHostedService(provider => provider.GetRequiredService<PlaintextEncryption>());
        return services;
    }

    /// <summary>The key ring and user keys with settings given in code (tools and tests without configuration).</summary>
    public static IServiceCollection AddCoachEncryption(this IServiceCollection services, EncryptionOptions settings)
    {
        services.AddSingleton(Options.Create(settings));
        return AddKeyRing(services, settings);
    }

    private static IServiceCollection AddKeyRing(IServiceCollection services, EncryptionOptions settings)
    {
        // An empty path is refused when the host starts (the options' validation names it); until then, the default.
        var folder = string.IsNullOrWhiteSpace(settings.KeyRingPath) ? new EncryptionOptions().KeyRingFolder : settings.KeyRingFolder;
        var ring = services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(folder));
        string? certificateError = null;
        if (!string.IsNullOrWhiteSpace(settings.CertificatePath))
        {
            try
            {
                var certificate = X509CertificateLoader.LoadPkcs12FromFile(settings.CertificatePath, settings.CertificatePassword);
                if (!certificate.HasPrivateKey)
                {
                    certificateError = $"DataProtection:CertificatePath: {settings.CertificatePath} has no private key; the key ring could be written but never read.";
                }
                else
                {
                    ring.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
                }
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                certificateError = $"DataProtection:CertificatePath: cannot read the certificate {settings.CertificatePath} ({e.Message}).";
            }
        }

        services.AddSingleton<IValidateOptions<EncryptionOptions>>(provider => new EncryptionOptionsValidator(certificateError));
        services.TryAddSingleton<UserKeyRing>();
        return services;
    }

    /// <summary>Fails start-up, naming the setting, when a folder cannot be made or the certificate cannot be read.</summary>
    private sealed class EncryptionOptionsValidator(string? certificateError) : IValidateOptions<EncryptionOptions>
    {
        public ValidateOptionsResult Validate(string? name, EncryptionOptions options)
        {
            if (certificateError is not null)
            {
                return ValidateOptionsResult.Fail(certificateError);
            }

            if (string.IsNullOrWhiteSpace(options.KeyRingPath))
            {
                return ValidateOptionsResult.Skip;
            }

            foreach (var (setting, folder) in new[] { ("KeyRingPath", options.KeyRingFolder), ("UserKeysPath", options.UserKeysFolder) })
            {
                try
                {
                    Directory.CreateDirectory(folder);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return ValidateOptionsResult.Fail($"DataProtection:{setting}: cannot create the folder {folder} ({e.Message}).");
                }
            }

            return ValidateOptionsResult.Success;
        }
    }
}

/// <summary>
/// At start-up, before the database: refuses, outside Development, a key ring left in its default folder
/// (beside the embedded database, so in the same backups: a copy of both opens every conversation).
/// Then, after the key ring rotated (Data Protection makes a new ring key every 90 days), wraps the user
/// keys an older ring key wrapped with the current one (<see cref="UserKeyRing.Rewrap"/>).
/// </summary>
/// <param name="keyRingPathSet">Whether the configuration names <c>DataProtection:KeyRingPath</c>.</param>
internal sealed class UserKeyRewrap(UserKeyRing keys, bool keyRingPathSet, IHostEnvironment environment) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!keyRingPathSet && !environment.IsDevelopment())
        {
            throw new StartupException(
                $"DataProtection:KeyRingPath is not set. Outside Development ({environment.EnvironmentName}) name the key ring's folder, " +
                $"kept and backed up apart from the database (the default {EncryptionOptions.DefaultKeyRingPath} is beside the embedded database).");
        }

        keys.Rewrap();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
