using CoachService.Profiles;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;

namespace CoachService.Conversations;

/// <summary>What a turn's prompt is built from.</summary>
public sealed record TurnContext(
    CoachingSession Session,
    string Persona,
    IReadOnlyDictionary<string, object?> Inputs,
    IReadOnlyList<ChatMessage> History,
    bool Assessing,
    int AnswersSoFar);

/// <summary>
/// Builds a turn's context inside its unit of work: persona, personality profile, active goals,
/// insights from recent sessions, and as much of the conversation as fits the token budget. An
/// interrupted reply is already stored as only the part the user heard, so that is all the model sees.
/// </summary>
public static class ConversationContext
{
    /// <summary>The most messages a turn's history reads: more than any token budget could hold; keeps a very long session's turn cheap.</summary>
    public const int MaxHistoryMessages = 400;

    /// <summary>
    /// The statement that finds a turn: the user's side of the context (name, language, persona, profile, active goals,
    /// recent insights, read over the user's own row), the session, the turn id's earlier messages and the session's last
    /// sequence number. Each subquery still goes through the query filters, and row level security below them.
    /// Compiled once: for a query this size, EF's look-up of its cache cost more than the database took to run it.
    /// </summary>
    private static readonly Func<CoachDbContext, Guid, string, int, CancellationToken, Task<TurnFind?>> FindTurn = EF.CompileAsyncQuery(
        (CoachDbContext db, Guid sessionId, string turnId, int insightSessions, CancellationToken cancellationToken) => db.Users
            .Select(u => new TurnFind
            {
                About = new AboutUser
                {
                    Name = u.Name,
                    PreferredLanguage = u.PreferredLanguage,
                    Persona = db.CoachingPreferences.Select(p => p.CoachPersona).FirstOrDefault(),
                    Profile = db.PersonalityAssessments
                        .OrderByDescending(a => a.CompletedAt).ThenByDescending(a => a.Id)
                        .Select(a => new AboutUser.Types { DiscType = a.DiscType, EnneagramType = a.EnneagramType })
                        .FirstOrDefault(),
                    Goals = db.Goals
                        .Where(g => g.Status == "active")
                        .OrderByDescending(g => g.CreatedAt).ThenBy(g => g.Id)
                        .Take(5)
                        .Select(g => g.GoalText)
                        .ToList(),
                    Insights = db.Sessions
                        .Where(s => s.Status == SessionStatus.Completed && s.Id != sessionId && s.KeyInsights != null)
                        .OrderByDescending(s => s.CompletedAt).ThenBy(s => s.Id)
                        .Take(insightSessions)
                        .Select(s => s.KeyInsights)
                        .ToList(),
                },
                Session = db.Sessions.FirstOrDefault(s => s.Id == sessionId),
                Earlier = db.Messages.Where(m => m.SessionId == sessionId && m.ClientTurnId == turnId).ToList(),
                LastSequence = db.Messages.Where(m => m.SessionId == sessionId).Max(m => (int?)m.SequenceNumber),
            })
            .SingleOrDefault());

    /// <summary>
    /// Reads, in one statement, what a turn of the session needs before its claim (<see cref="TurnFind"/>); the session
    /// is tracked. An empty <paramref name="turnId"/> (never a client's) reads no earlier messages. Null when the user's
    /// own row is not visible to the unit.
    /// </summary>
    public static Task<TurnFind?> FindTurnAsync(CoachDbContext db, Guid sessionId, string turnId, int insightSessions, CancellationToken cancellationToken) =>
        FindTurn(db, sessionId, turnId, insightSessions, cancellationToken);

    /// <summary>
    /// Inside the unit of work that stores (or plans) the user's message, with the session and the user's side of the
    /// context already read (<see cref="FindTurnAsync"/>), and the messages before the user's when they are (newest
    /// first, at most <see cref="MaxHistoryMessages"/>, as <see cref="TurnClaims.ClaimAndSpendAsync"/> reads them);
    /// null reads them here.
    /// </summary>
    public static async Task<TurnContext> BuildAsync(
        CoachDbContext db, CoachingSession session, AboutUser about, int userSequence, string message, CoachingOptions options, CancellationToken cancellationToken,
        IReadOnlyList<EarlierMessage>? earlier = null)
    {
        var sessionId = session.Id;
        var persona = session.CoachPersona ?? about.Persona ?? CoachPersona.WarmFriend;
        var profile = about.Profile;
        var goals = about.Goals;
        var recentInsights = about.Insights;
        earlier ??= await db.Messages.AsNoTracking()
            .Where(m => m.SessionId == sessionId && m.SequenceNumber < userSequence && m.Role != "system")
            .OrderByDescending(m => m.SequenceNumber)
            .Select(m => new EarlierMessage(m.Role, m.Content))
            .Take(MaxHistoryMessages)
            .ToListAsync(cancellationToken);

        var history = HistoryWithin(earlier, options.HistoryTokenBudget);

        // An onboarding session asks assessment questions until its onboarding is complete, then coaches.
        var assessing = session.SessionType == "onboarding_assessment" && !session.Metadata.ContainsKey(Onboarding.OnboardingCompletion.Completed);
        var answers = assessing
            ? await db.Messages.CountAsync(m => m.SessionId == sessionId && m.SequenceNumber < userSequence && m.Role == "user", cancellationToken) + 1
            : 0;
        var inputs = assessing
            ? new Dictionary<string, object?>
            {
                ["user_name"] = about.Name ?? "",
                ["question_number"] = answers,
                ["message"] = message,
            }
            : new Dictionary<string, object?>
            {
                ["persona"] = persona,
                ["language"] = about.PreferredLanguage,
                ["user_name"] = about.Name ?? "",
                ["disc_type"] = profile?.DiscType ?? "",
                ["enneagram_type"] = profile?.EnneagramType,
                ["active_goals"] = goals,
                ["recent_insights"] = recentInsights
                    .SelectMany(i => i ?? [])
                    .OrderByDescending(i => i.Importance)
                    .Take(5)
                    .Select(i => i.Insight)
                    .ToList(),
                ["message"] = message,
            };
        return new TurnContext(session, persona, inputs, history, assessing, answers);
    }

    /// <summary>
    /// The turn's history from the messages before it (newest first): the newest that fit <paramref name="budget"/>
    /// tokens, oldest first.
    /// </summary>
    public static List<ChatMessage> HistoryWithin(IEnumerable<EarlierMessage> newestFirst, int budget)
    {
        var history = new List<ChatMessage>();
        foreach (var m in newestFirst)
        {
            budget -= EstimateTokens(m.Content);
            if (budget < 0)
            {
                break;
            }

            history.Add(new ChatMessage(m.Role == "user" ? ChatRole.User : ChatRole.Assistant, m.Content));
        }

        history.Reverse();
        return history;
    }

    public static async Task<string> PersonaOfAsync(CoachDbContext db, CoachingSession session, CancellationToken cancellationToken) =>
        session.CoachPersona
        ?? await db.CoachingPreferences.AsNoTracking().Select(p => p.CoachPersona).SingleOrDefaultAsync(cancellationToken)
        ?? CoachPersona.WarmFriend;

    /// <summary>About four characters a token: good enough for a budget, no tokenizer needed.</summary>
    public static int EstimateTokens(string text) => (text.Length + 3) / 4 + 4;
}

/// <summary>A message of the session before a turn's, as the turn's history is built from it.</summary>
public sealed record EarlierMessage(string Role, string Content);

/// <summary>What the statement that finds a turn reads (<see cref="ConversationContext.FindTurnAsync"/>).</summary>
public sealed class TurnFind
{
    public required AboutUser About { get; init; }

    /// <summary>Null when the session is not the user's, or does not exist.</summary>
    public CoachingSession? Session { get; init; }

    /// <summary>The session's messages of the turn id (the user's message and its reply, when it was sent before).</summary>
    public required List<Message> Earlier { get; init; }

    public int? LastSequence { get; init; }
}

/// <summary>The user's side of a turn's context (<see cref="ConversationContext.FindTurnAsync"/>).</summary>
public sealed class AboutUser
{
    public string? Name { get; init; }
    public string PreferredLanguage { get; init; } = "en";
    public string? Persona { get; init; }
    public Types? Profile { get; init; }
    public List<string> Goals { get; init; } = [];
    public List<List<KeyInsight>?> Insights { get; init; } = [];

    /// <summary>The latest personality assessment's types.</summary>
    public sealed class Types
    {
        public required string DiscType { get; init; }
        public int EnneagramType { get; init; }
    }
}
