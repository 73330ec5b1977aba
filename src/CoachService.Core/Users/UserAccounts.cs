using CoachService.Profiles;
using CoachService.Persistence;
using CoachService.Privacy.Encryption;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Users;

/// <summary>What a new user gives.</summary>
public sealed record NewUser(string Email, string? Name = null, string Timezone = "UTC", string PreferredLanguage = "en");

/// <summary>
/// Creates and reads users. A user's own row is visible only inside that user's unit of work. A user made here gets
/// their data key at once (a file written and flushed), so their first turn does not wait for the disk.
/// </summary>
public sealed class UserAccounts(CoachDatabase database, UserKeyRing keys, TimeProvider time)
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
        keys.GetOrCreate(user.Id);
        return user;
    }

    /// <summary>
    /// The user with this id, created from <paramref name="request"/> the first time. For ids derived
    /// from something stable (<see cref="UserIds"/>), since row level security allows no look-up by
    /// anything but one's own id. Safe when two first requests race: both get the one row.
    /// </summary>
    /// <exception cref="DomainConflictException">The e-mail address belongs to another user.</exception>
    public async Task<User> FindOrCreateAsync(Guid userId, NewUser request, CancellationToken cancellationToken = default) =>
        (await FindOrCreateCoreAsync(userId, request, issuedAt: null, cancellationToken))!;

    /// <summary>
    /// <see cref="FindOrCreateAsync"/> for a sign-in token issued at <paramref name="issuedAt"/>: null, and
    /// nothing created, when the account was erased at or after that time (a token kept across an erasure).
    /// </summary>
    public Task<User?> FindOrCreateForSignInAsync(Guid userId, NewUser request, DateTimeOffset issuedAt, CancellationToken cancellationToken = default) =>
        FindOrCreateCoreAsync(userId, request, issuedAt, cancellationToken);

    private async Task<User?> FindOrCreateCoreAsync(Guid userId, NewUser request, DateTimeOffset? issuedAt, CancellationToken cancellationToken)
    {
        // Validated even when the user exists, so a bad request is refused the same way every time.
        var user = NewRow(userId, request);
        var found = await database.ForUserAsync(userId, async db =>
        {
            if (issuedAt is { } issued)
            {
                await UserErasures.LockAsync(db, userId, cancellationToken);
                // A token's iat has whole seconds: one from the second of the erasure counts as before it.
                if (await db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken) is null
                    && await UserErasures.ErasedAtAsync(db, cancellationToken) is { } erasedAt && issued <= erasedAt)
                {
                    return null;
                }
            }

            // ON CONFLICT waits for a concurrent insert of the same id to commit, then does nothing; a
            // plain insert would fail the loser of the race on the primary key. Another user's e-mail
            // address still fails, on ux_users_email.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO users (id, email, name, preferred_language, timezone, created_at, updated_at)
                VALUES ({user.Id}, {user.Email}, {user.Name}, {user.PreferredLanguage}, {user.Timezone}, {user.CreatedAt}, {user.UpdatedAt})
                ON CONFLICT (id) DO NOTHING
                """, cancellationToken);
            return (User?)await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        }, cancellationToken);
        // A known user's key is found in the cache (or its file); a new one's is made now, after the row's commit.
        if (found is not null)
        {
            keys.GetOrCreate(userId);
        }

        return found;
    }

    public Task<User?> FindAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, db => db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken), cancellationToken);

    /// <summary>The user with the current profile and focus categories, or null when there is no such user.</summary>
    public Task<UserOverview?> GetOverviewAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, async db =>
        {
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
            return user is null ? null : await OverviewAsync(db, user, cancellationToken);
        }, cancellationToken);

    /// <summary>Changes name, language and time zone; every value is checked, and every bad one named, before the database is touched.</summary>
    public Task<UserOverview> UpdateAsync(Guid userId, UserChanges changes, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var name = changes.Name?.Trim();
        errors.Require(name is not { Length: > 200 }, "name", "name must be at most 200 characters");
        if (changes.Timezone is { } timezone)
        {
            errors.Collect(() => UserClock.Zone(timezone));
        }

        if (changes.PreferredLanguage is { } language)
        {
            errors.Collect(() => CheckLanguage(language));
        }

        errors.ThrowIfAny();

        return database.ForUserAsync(userId, async db =>
        {
            var user = await db.Users.SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainNotFoundException("user", userId);
            if (name is not null)
            {
                // An empty name removes it.
                user.Name = name.Length == 0 ? null : name;
            }

            user.PreferredLanguage = changes.PreferredLanguage ?? user.PreferredLanguage;
            user.Timezone = changes.Timezone ?? user.Timezone;
            user.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            return await OverviewAsync(db, user, cancellationToken);
        }, cancellationToken);
    }

    private static async Task<UserOverview> OverviewAsync(CoachDbContext db, User user, CancellationToken cancellationToken)
    {
        var profile = await db.PersonalityAssessments.NewestFirst().FirstOrDefaultAsync(cancellationToken);
        var categories = await db.EmotionalFocusCategories.AsNoTracking()
            .OrderBy(c => c.Priority).ThenBy(c => c.Category)
            .Select(c => new FocusCategoryView(c.Category, c.Priority))
            .ToListAsync(cancellationToken);
        return new UserOverview(
            user.Id, user.Email, user.Name, user.PreferredLanguage, user.Timezone, user.OnboardingCompleted, user.AchievementPoints,
            profile is null
                ? null
                : new PersonalityProfileView(profile.DiscType, profile.DiscScores, profile.EnneagramType, profile.EnneagramWing,
                    profile.Confidence, profile.Insights, profile.CompletedAt),
            categories);
    }

    private static void CheckLanguage(string language)
    {
        if (!DomainValues.Languages.Contains(language))
        {
            throw new DomainValidationException("preferred_language",
                $"preferred_language must be one of: {string.Join(", ", DomainValues.Languages)}");
        }
    }

    private User NewRow(Guid id, NewUser request)
    {
        var email = request.Email.Trim().ToLowerInvariant();
        if (email.Length is 0 or > 320 || !email.Contains('@', StringComparison.Ordinal))
        {
            throw new DomainValidationException("email", "email must be an e-mail address such as ana@example.com");
        }

        UserClock.Zone(request.Timezone);
        CheckLanguage(request.PreferredLanguage);

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
