using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Conversations;

/// <summary>A session's conversation as the summary and scoring prompts read it.</summary>
public static class Transcript
{
    /// <summary>The session's messages as "coach:"/"user:" lines, in order.</summary>
    public static async Task<string> OfSessionAsync(CoachDbContext db, Guid sessionId, CancellationToken cancellationToken)
    {
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.SessionId == sessionId && m.Role != "system")
            .OrderBy(m => m.SequenceNumber)
            .Select(m => new { m.Role, m.Content })
            .ToListAsync(cancellationToken);
        return Of(messages.Select(m => (m.Role, m.Content)));
    }

    /// <summary>Messages (role, content), in order, as "coach:"/"user:" lines; the coach tool's replay builds the same text from a recording.</summary>
    public static string Of(IEnumerable<(string Role, string Content)> messages) =>
        string.Join("\n", messages.Select(m => $"{(m.Role == "user" ? "user" : "coach")}: {m.Content}"));
}
