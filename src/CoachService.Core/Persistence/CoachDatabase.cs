using CoachService.Privacy.Encryption;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Persistence;

/// <summary>
/// Runs units of work for one user. Each unit is one transaction in which the database-side user
/// (<c>app.user_id</c>, transaction-local, read by the row level security policies) and the
/// context's query filters name the same user, so a bug in one layer is still caught by the other.
/// The user's conversation text is encrypted and decrypted with their own key within the unit
/// (<see cref="UserKeyScope"/>); the key is read once and then cached, not queried.
/// A unit that changes what a turn's context is built from moves the user's <see cref="UserDataVersions"/> counter
/// once it has committed.
/// </summary>
public sealed class CoachDatabase(IDbContextFactory<CoachDbContext> contexts, UserKeyRing keys, UserDataVersions? versions = null)
{
    public async Task<T> ForUserAsync<T>(Guid userId, Func<CoachDbContext, Task<T>> work, CancellationToken cancellationToken = default)
    {
        if (userId == Guid.Empty)
        {
            throw new ArgumentException("A unit of work needs a user id.", nameof(userId));
        }

        using var key = UserKeyScope.Enter(keys, userId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.CurrentUserId = userId;
        // The unit is one transaction that commits or rolls back whole, and no caller goes on after a failed
        // SaveChanges: EF's savepoint around each SaveChanges would only cost two more round trips a unit.
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Set by the unit's first command, in its round trip (UserScopeInterceptor): not a round trip of its own.
            db.UserToEnter = userId;
            var result = await work(db);
            var touched = false;
            if (db.ChangeTracker.HasChanges())
            {
                touched = versions is not null && UserDataVersions.TouchContext(db.ChangeTracker);
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            if (touched)
            {
                versions!.Changed(userId);
            }

            return result;
        }
        catch (Exception e) when (DatabaseErrors.TryTranslate(e, out var translated))
        {
            throw translated;
        }
        finally
        {
            // A pooled context goes back without a mark: a unit that sent no command leaves none behind.
            db.UserToEnter = null;
        }
    }

    public Task ForUserAsync(Guid userId, Func<CoachDbContext, Task> work, CancellationToken cancellationToken = default) =>
        ForUserAsync<object?>(userId, async db =>
        {
            await work(db);
            return null;
        }, cancellationToken);
}
