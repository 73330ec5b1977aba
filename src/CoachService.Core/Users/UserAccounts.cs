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
        var user = new User
        {
            Id = Guid.CreateVersion7(now),
            Email = email,
            Name = request.Name?.Trim(),
            Timezone = request.Timezone,
            PreferredLanguage = request.PreferredLanguage,
            CreatedAt = now,
            UpdatedAt = now,
        };

        // The new row can only be written as its own user: RLS checks id = app.user_id.
        await database.ForUserAsync(user.Id, db =>
        {
            db.Users.Add(user);
            return Task.CompletedTask;
        }, cancellationToken);
        return user;
    }

    public Task<User?> FindAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, db => db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken), cancellationToken);
}
