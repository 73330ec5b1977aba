using CoachService.Persistence;
using CoachService.Privacy.Encryption;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Users;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Reliability;

/// <summary>
/// The key ring rotates (a new Data Protection key becomes the default): user keys wrapped by the old
/// ring key still unwrap, and <see cref="UserKeyRing.Rewrap"/> moves them to the new one so the old
/// ring key can be revoked.
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class KeyRotationTests
{
    [Fact]
    public async Task After_rotation_old_wrapped_user_keys_still_unwrap_and_rewrap_frees_the_old_ring_key()
    {
        await using var database = await CoachTestDatabase.CreateAsync();
        var user = await database.Get<UserAccounts>().CreateAsync(new NewUser($"rotation-{Guid.NewGuid():N}@example.com"));
        var session = await database.Get<CoachingSessions>().StartAsync(user.Id, "face_to_face");
        await database.Get<CoachDatabase>().ForUserAsync(user.Id, db =>
        {
            db.Messages.Add(new Message { SessionId = session.Id, UserId = user.Id, SequenceNumber = 1, Role = "user", Content = "Written under the first ring key." });
            return Task.CompletedTask;
        });
        var keyFile = Path.Combine(database.KeyRingPath, "users", $"{user.Id:N}.key");
        var firstRingKey = WrappingKeyOf(keyFile);

        // Rotation: a new ring key, active now, becomes the default.
        using (var ring = Services(database))
        {
            var manager = ring.GetRequiredService<IKeyManager>();
            var now = DateTimeOffset.UtcNow;
            manager.CreateNewKey(now, now.AddDays(90));
        }

        using (var afterRotation = Services(database))
        {
            Assert.Equal("Written under the first ring key.", await ReadAsync(afterRotation, user.Id));
            Assert.Equal(firstRingKey, WrappingKeyOf(keyFile));
        }

        var wrappedByFirst = await File.ReadAllBytesAsync(keyFile);
        using (var rewrapping = Services(database))
        {
            Assert.Equal(1, rewrapping.GetRequiredService<UserKeyRing>().Rewrap());
            Assert.Equal(0, rewrapping.GetRequiredService<UserKeyRing>().Rewrap());
            var secondRingKey = WrappingKeyOf(keyFile);
            Assert.NotEqual(firstRingKey, secondRingKey);
            rewrapping.GetRequiredService<IKeyManager>().RevokeKey(firstRingKey, "rotated; user keys re-wrapped");
        }

        using (var afterRevocation = Services(database))
        {
            Assert.Equal("Written under the first ring key.", await ReadAsync(afterRevocation, user.Id));
        }

        // The revocation is real: the same user key as wrapped before the re-wrap no longer unwraps.
        await File.WriteAllBytesAsync(keyFile, wrappedByFirst);
        using (var revoked = Services(database))
        {
            await Assert.ThrowsAsync<UserTextUnreadableException>(() => ReadAsync(revoked, user.Id));

            // Re-wrapping reads through the revocation, so an operator who revoked first loses nothing.
            Assert.Equal(1, revoked.GetRequiredService<UserKeyRing>().Rewrap());
            Assert.Equal("Written under the first ring key.", await ReadAsync(revoked, user.Id));
        }
    }

    /// <summary>Services over the database's key ring, with nothing cached: as a restarted instance sees them.</summary>
    private static ServiceProvider Services(CoachTestDatabase database)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);
        services.AddCoachPersistence(database.Connections, database.Encryption);
        return services.BuildServiceProvider();
    }

    private static Task<string> ReadAsync(ServiceProvider services, Guid userId) =>
        services.GetRequiredService<CoachDatabase>().ForUserAsync(userId, db => db.Messages.Select(m => m.Content).SingleAsync());

    /// <summary>The ring key a Data Protection payload names: its 16 bytes after the 4-byte magic header.</summary>
    private static Guid WrappingKeyOf(string keyFile) => new(File.ReadAllBytes(keyFile).AsSpan(4, 16));
}
