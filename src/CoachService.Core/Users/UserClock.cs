namespace CoachService.Users;

/// <summary>Turns instants into the user's local dates, with the IANA zone the user chose.</summary>
public static class UserClock
{
    public static DateOnly LocalDate(DateTimeOffset instant, string timezone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone(timezone)).DateTime);

    public static TimeZoneInfo Zone(string timezone) =>
        TryZone(timezone) ?? throw new DomainValidationException("timezone", $"timezone '{timezone}' is not an IANA time zone id such as Europe/Lisbon");

    private static TimeZoneInfo? TryZone(string timezone)
    {
        if (string.IsNullOrWhiteSpace(timezone))
        {
            return null;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out var zone) ? zone : null;
    }
}
