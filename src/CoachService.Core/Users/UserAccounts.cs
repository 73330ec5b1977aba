using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Users;

/// <summary>What a new user gives.</summary>
public sealed record NewUser(string Email, string? Name = null, string Timezone = "UTC", string PreferredLanguage = "en");

/// <summary>Creates and reads users. A user's own row is visible only inside that user's unit of work.</summary>
public sealed class UserAccounts(CoachDatabase database, TimeProvider time)
{
    public async Task<User> CreateAsync(NewUser request, CancellationToken cancellationToken = default)
    {
        var user = NewRow(Guid.CreateVersion7(time.GetUtcNow()), request);

        // The new row can only be written as its own user: RLS checks id = app.user_id.
        await database.ForUserAsync(user.Id, db =>
        {
            db.Users.Add(user);
            return Task.CompletedTask;
        }, cancellationToken);
        return user;
    }

    /// <summary>
    /// The user with this id, created from <paramref name="request"/> the first time. For ids derived
    /// from something stable (the development sign-in derives them from the e-mail address), since
    /// row level security allows no look-up by anything but one's own id.
    /// </summary>
    public Task<User> FindOrCreateAsync(Guid userId, NewUser request, CancellationToken cancellationToken = default)
    {
        // Validated even when the user exists, so a bad request is refused the same way every time.
        var user = NewRow(userId, request);
        return database.ForUserAsync(userId, async db =>
            await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? db.Users.Add(user).Entity, cancellationToken);
    }

    public Task<User?> FindAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, db => db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken), cancellationToken);

    private User NewRow(Guid id, NewUser request)
    {
        var email = request.Email.Trim().ToLowerInvariant();
        if (email.Length is 0 or > 320 || !email.Contains('@', StringComparison.Ordinal))
        {
            throw new DomainValidationException("email", "email must be an e-mail address such as ana@example.com");
        }

        UserClock.Zone(request.Timezone);
        if (!DomainValues.Languages.Contains(request.PreferredLanguage))
        {
            throw new DomainValidationException("preferred_language",
                $"preferred_language must be one of: {string.Join(", ", DomainValues.Languages)}");
        }

        var now = time.GetUtcNow();
        return new User
        {
            Id = id,
            Email = email,
            Name = request.Name?.Trim(),
            Timezone = request.Timezone,
            PreferredLanguage = request.PreferredLanguage,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
