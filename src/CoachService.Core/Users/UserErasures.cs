using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Users;

/// <summary>
/// The record that an account was erased (<c>erased_users</c>), and the lock that keeps an erasure and
/// a sign-in that would create the same account from overlapping. Used inside the user's own unit of work.
/// </summary>
public static class UserErasures
{
    /// <summary>
    /// Serialises erasure and creation of one account until the transaction ends, so a creation that
    /// raced an erasure sees its record (each statement after the lock reads what committed before it).
    /// </summary>
    public static Task LockAsync(CoachDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({userId.ToString()}, 0))", cancellationToken);

    /// <summary>Records the erasure; a later erasure of an account created again moves the time on.</summary>
    public static Task RecordAsync(CoachDbContext db, Guid userId, DateTimeOffset erasedAt, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO erased_users (id, erased_at) VALUES ({userId}, {erasedAt})
            ON CONFLICT (id) DO UPDATE SET erased_at = EXCLUDED.erased_at
            """, cancellationToken);

    /// <summary>When the account was last erased, or null if it never was.</summary>
    public static Task<DateTimeOffset?> ErasedAtAsync(CoachDbContext db, CancellationToken cancellationToken) =>
        db.ErasedUsers.AsNoTracking().Select(e => (DateTimeOffset?)e.ErasedAt).SingleOrDefaultAsync(cancellationToken);
}
