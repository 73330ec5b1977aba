namespace CoachService.Users;

/// <summary>What a sign-in token says about a person the service may not know yet.</summary>
public sealed record SignInClaims(string? Email, string? Name, DateTimeOffset IssuedAt);

public enum ProvisioningOutcome
{
    /// <summary>The user exists (now or before).</summary>
    Known,

    /// <summary>Unknown, and the token was issued too long ago to create an account from.</summary>
    TokenTooOld,

    /// <summary>Unknown, and the token has no usable e-mail address (the column is required).</summary>
    NoEmail,

    /// <summary>Unknown, and the token's e-mail address belongs to another user.</summary>
    EmailTaken,

    /// <summary>The account was erased at or after the token was issued: the token may not bring it back.</summary>
    Erased,
}

/// <summary>
/// Creates a user the first time an external issuer's token names them, from the token's e-mail
/// address and name. Only a freshly issued token creates one, and never one issued before the
/// account was erased (<c>erased_users</c>): signing in again after an erasure makes a new, empty
/// account under the same id (see docs/decisions/bearer-tokens.md).
/// </summary>
public sealed class UserProvisioning(UserAccounts users, TimeProvider time)
{
    public async Task<ProvisioningOutcome> EnsureAsync(Guid userId, SignInClaims claims, TimeSpan freshness, CancellationToken cancellationToken = default)
    {
        if (await users.FindAsync(userId, cancellationToken) is not null)
        {
            return ProvisioningOutcome.Known;
        }

        if (time.GetUtcNow() - claims.IssuedAt > freshness)
        {
            return ProvisioningOutcome.TokenTooOld;
        }

        if (string.IsNullOrWhiteSpace(claims.Email))
        {
            return ProvisioningOutcome.NoEmail;
        }

        try
        {
            // Race-safe: two first requests at once make one row.
            var user = await users.FindOrCreateForSignInAsync(userId, new NewUser(claims.Email, Trimmed(claims.Name)), claims.IssuedAt, cancellationToken);
            return user is null ? ProvisioningOutcome.Erased : ProvisioningOutcome.Known;
        }
        catch (DomainValidationException e) when (e.Field == "email")
        {
            return ProvisioningOutcome.NoEmail;
        }
        catch (DomainConflictException e) when (e.Field == "email")
        {
            return ProvisioningOutcome.EmailTaken;
        }
    }

    // The name column takes 200 characters; an issuer's display name is no reason to refuse a sign-in.
    private static string? Trimmed(string? name)
    {
        var trimmed = name?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed[..Math.Min(trimmed.Length, 200)];
    }
}
