using System.Text.Json;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Profiles;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Cli.Recordings;

/// <summary>Which stored sessions to record: one user's, all or one of them, optionally in a date range (UTC, inclusive).</summary>
public sealed record SessionSelection(Guid UserId, Guid? SessionId, DateOnly? From, DateOnly? To);

/// <summary>
/// Turns stored sessions into recordings, through the service's own EF model and unit of work for the
/// user: row level security applies to the tool as to the service, so it reads one user's data only.
/// </summary>
public sealed class SessionRecorder(CoachDatabase database, TimeProvider time)
{
    private static readonly JsonSerializerOptions OutputJson = new();

    public Task<IReadOnlyList<ConversationRecording>> RecordAsync(SessionSelection selection, CancellationToken cancellationToken) =>
        database.ForUserAsync<IReadOnlyList<ConversationRecording>>(selection.UserId, async db =>
        {
            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(cancellationToken)
                ?? throw new InputFileException("--user", "user", "a user stored in this database (none has that id or e-mail)");
            var sessions = db.Sessions.AsNoTracking().AsQueryable();
            if (selection.SessionId is { } id)
            {
                sessions = sessions.Where(s => s.Id == id);
            }

            if (selection.From is { } from)
            {
                sessions = sessions.Where(s => s.SessionDate >= from);
            }

            if (selection.To is { } to)
            {
                sessions = sessions.Where(s => s.SessionDate <= to);
            }

            var chosen = await sessions.OrderBy(s => s.StartedAt).ToListAsync(cancellationToken);
            var recordings = new List<ConversationRecording>();
            foreach (var session in chosen)
            {
                recordings.Add(await RecordSessionAsync(db, user, session, cancellationToken));
            }

            return recordings;
        }, cancellationToken);

    private async Task<ConversationRecording> RecordSessionAsync(CoachDbContext db, Users.User user, CoachingSession session, CancellationToken cancellationToken)
    {
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.SessionId == session.Id && m.Role != "system")
            .OrderBy(m => m.SequenceNumber)
            .ToListAsync(cancellationToken);
        var emotions = (await db.MessageEmotions.AsNoTracking().Where(e => e.SessionId == session.Id).ToListAsync(cancellationToken))
            .ToLookup(e => e.MessageId);
        // What the prompts knew at the start of the session: the profile and goals from before it.
        var profile = await db.PersonalityAssessments.AsNoTracking()
            .Where(a => a.CompletedAt < session.StartedAt)
            .OrderByDescending(a => a.CompletedAt)
            .FirstOrDefaultAsync(cancellationToken);
        var scored = await db.PersonalityAssessments.AsNoTracking().FirstOrDefaultAsync(a => a.SessionId == session.Id, cancellationToken);
        var goals = await db.Goals.AsNoTracking()
            .Where(g => g.CreatedAt < session.StartedAt && (g.Status == "active" || g.CompletedAt > session.StartedAt))
            .OrderByDescending(g => g.CreatedAt).Take(5).Select(g => g.GoalText).ToListAsync(cancellationToken);
        var insights = await db.Sessions.AsNoTracking()
            .Where(s => s.Status == SessionStatus.Completed && s.Id != session.Id && s.CompletedAt < session.StartedAt && s.KeyInsights != null)
            .OrderByDescending(s => s.CompletedAt).Take(3).Select(s => s.KeyInsights).ToListAsync(cancellationToken);
        var persona = await Conversations.ConversationContext.PersonaOfAsync(db, session, cancellationToken);

        var turns = new List<RecordedTurn>();
        for (var i = 0; i < messages.Count; i++)
        {
            var asked = messages[i];
            if (asked.Role != "user")
            {
                continue;
            }

            var reply = i + 1 < messages.Count && messages[i + 1].Role == "assistant" ? messages[i + 1] : null;
            var replyTask = reply?.Kind switch
            {
                "assessment_question" => CoachTask.AssessmentQuestion,
                "safety" => CoachTask.SafetyScreen,
                _ => CoachTask.CoachReply,
            };
            var snapshot = emotions[asked.Id].ToList();
            var versions = new Dictionary<string, string>();
            var hashes = new Dictionary<string, string>();
            Add(versions, hashes, replyTask, reply?.PromptVersion, reply?.PromptHash);
            if (snapshot.Count > 0)
            {
                Add(versions, hashes, CoachTask.EmotionalSnapshot, snapshot[0].PromptVersion, snapshot[0].PromptHash);
            }

            turns.Add(new RecordedTurn
            {
                Turn = turns.Count + 1,
                User = asked.Content,
                Reply = reply?.Content ?? "",
                Heard = reply?.HeardContent,
                Kind = reply?.Kind ?? "text",
                Model = reply?.Model,
                PromptVersions = versions,
                PromptHashes = hashes,
                Snapshot = snapshot.Count == 0 ? null : Element(new EmotionalSnapshotResult(
                    [.. snapshot.Select(e => new EmotionReading(e.Emotion, e.Intensity, e.Color, (double)e.Confidence))])),
                ToolCalls = [.. (reply?.Actions ?? []).Select(a => new RecordedToolCall(a.Function, Element(a)))],
                Usage = reply is null ? null : new RecordedUsage(reply.InputTokens ?? 0, reply.OutputTokens ?? 0, reply.TotalMs),
            });
        }

        if (turns.Count > 0)
        {
            turns[^1] = Ending(turns[^1], session, scored);
        }

        return new ConversationRecording
        {
            Id = $"{session.SessionDate:yyyy-MM-dd}-{session.SessionType.Replace('_', '-')}-{session.Id.ToString()[..8]}",
            Title = $"{session.SessionType.Replace('_', ' ')} on {session.SessionDate:yyyy-MM-dd}",
            RecordedAt = time.GetUtcNow(),
            Source = new RecordingSource(session.Id, Scrubbed: false),
            Session = new RecordedSession(
                session.SessionType, persona, user.PreferredLanguage, RecordedSession.IsVoice(session.SessionType), session.Status == SessionStatus.Completed),
            User = new RecordedUser
            {
                Name = user.Name ?? "",
                DiscType = profile?.DiscType,
                EnneagramType = profile?.EnneagramType,
                ActiveGoals = goals,
                RecentInsights = [.. insights.SelectMany(k => k ?? []).OrderByDescending(k => k.Importance).Take(5).Select(k => k.Insight)],
            },
            Turns = turns,
        };
    }

    /// <summary>What the end of the session produced, on its last turn: the profile of an onboarding, the summary and the goals.</summary>
    private static RecordedTurn Ending(RecordedTurn last, CoachingSession session, PersonalityAssessment? scored)
    {
        var versions = new Dictionary<string, string>(last.PromptVersions);
        var hashes = new Dictionary<string, string>(last.PromptHashes);
        JsonElement? assessment = null;
        if (scored is not null)
        {
            Add(versions, hashes, CoachTask.AssessmentScoring, scored.PromptVersion, scored.PromptHash);
            assessment = Element(new PersonalityAssessmentResult(
                scored.DiscType, scored.DiscScores ?? new DiscScores(0, 0, 0, 0), scored.EnneagramType, scored.EnneagramWing ?? 0,
                scored.EnneagramScores ?? [], (double)scored.Confidence, scored.Insights));
        }

        JsonElement? summary = null;
        if (session.VirtueEarned is { } virtue && session.KeyInsights is { } insights)
        {
            summary = Element(new SessionSummaryResult(
                new VirtueEarned(virtue, session.Metadata.GetValueOrDefault(Conversations.SessionEnding.VirtueDescription, "")), insights));
            if (session.Metadata.GetValueOrDefault(Conversations.SessionEnding.SummaryDone) is { } summaryVersion)
            {
                versions[CoachTask.SessionSummary] = summaryVersion;
            }
        }

        JsonElement? suggested = null;
        if (session.SuggestedGoals is { Count: > 0 } goals)
        {
            suggested = Element(new GoalSuggestionsResult(goals));
            if (session.Metadata.GetValueOrDefault(Conversations.SessionEnding.SuggestionsDone) is { } goalsVersion)
            {
                versions[CoachTask.GoalSuggestions] = goalsVersion;
            }
        }

        return last with { Assessment = assessment, Summary = summary, Goals = suggested, PromptVersions = versions, PromptHashes = hashes };
    }

    private static void Add(Dictionary<string, string> versions, Dictionary<string, string> hashes, string task, string? version, string? hash)
    {
        if (version is not null)
        {
            versions[task] = version;
        }

        if (hash is not null)
        {
            hashes[task] = hash;
        }
    }

    private static JsonElement Element<T>(T value) => JsonSerializer.SerializeToElement(value, OutputJson);
}
