using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
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
    /// The key ring (section "DataProtection"), the per-user keys it wraps, and re-wrapping at start-up
    /// of user keys an older ring key wrapped. The ring's folder is read here, when the services are
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
        services.AddHostedService<UserKeyRewrap>();
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
/// At start-up, after the key ring rotated (Data Protection makes a new ring key every 90 days), wraps
/// the user keys an older ring key wrapped with the current one (<see cref="UserKeyRing.Rewrap"/>).
/// </summary>
internal sealed class UserKeyRewrap(UserKeyRing keys, IOptions<EncryptionOptions> options, IHostEnvironment environment, ILogger<UserKeyRewrap> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.KeyRingPath == EncryptionOptions.DefaultKeyRingPath && !environment.IsDevelopment())
        {
            EncryptionLog.DefaultKeyRing(logger, options.Value.KeyRingFolder);
        }

        keys.Rewrap();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
