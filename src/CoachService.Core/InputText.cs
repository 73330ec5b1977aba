namespace CoachService;

/// <summary>Checks every text a client sends before anything else looks at it.</summary>
public static class InputText
{
    /// <summary>
    /// Refuses a NUL character: PostgreSQL cannot store one in text, and no person types one. Returns the
    /// value, so a check can sit where the value is read.
    /// </summary>
    /// <exception cref="DomainValidationException">The value contains U+0000.</exception>
    public static string? RefuseNul(string field, string? value) =>
        value is not null && value.Contains('\0')
            ? throw new DomainValidationException(field, $"{field} must not contain NUL characters (U+0000)")
            : value;

    /// <summary>Refuses a missing argument with the same error as any other invalid one.</summary>
    public static T Required<T>(string field, T? value) where T : class =>
        value ?? throw new DomainValidationException(field, $"{field} is required");
}
