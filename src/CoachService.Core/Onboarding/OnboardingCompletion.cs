using CoachService.Conversations;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Profiles;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Onboarding;

/// <summary>How onboarding ended: what to tell the listeners, and the closing words of the coach.</summary>
public sealed record OnboardingOutcome(OnboardingCompleted Completed, string Closing, string? Model, string PromptVersion, string? PromptHash = null);

/// <summary>
/// The end of the onboarding assessment: scores the personality profile, finds the focus categories and
/// suggests first goals from the transcript. The three model calls are independent and made together; what
/// each produced is stored at once in one unit of work, and the user is onboarded when all three are done.
/// </summary>
public sealed class OnboardingCompletion(CoachDatabase database, LlmTaskRunner tasks, TimeProvider time)
{
    /// <summary>Session metadata keys marking the parts already stored, so a retry makes only the missing calls.</summary>
    internal const string ProfileDone = "onboarding.profile", FocusDone = "onboarding.focus", GoalsDone = "onboarding.goals";

    /// <summary>Set once every part is stored: the rest of the session is ordinary coaching.</summary>
    public const string Completed = "onboarding.completed";

    private sealed record Progress(string Transcript, bool Profiled, bool Focused, bool GoalsSuggested);

    public async Task<OnboardingOutcome> FinishAsync(Guid userId, Guid sessionId, string persona, CancellationToken cancellationToken)
    {
        var progress = await database.ForUserAsync(userId, async db =>
        {
            var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sessionId, cancellationToken);
            return new Progress(
                await Transcript.OfSessionAsync(db, sessionId, cancellationToken),
                session.Metadata.ContainsKey(ProfileDone), session.Metadata.ContainsKey(FocusDone), session.Metadata.ContainsKey(GoalsDone));
        }, cancellationToken);
        var transcript = progress.Transcript;

        var scoring = progress.Profiled ? null : TaskAttempt<PersonalityAssessmentResult>.RunAsync(CoachTask.AssessmentScoring, () =>
            tasks.RunStructuredAsync<PersonalityAssessmentResult>(CoachTask.AssessmentScoring, new Dictionary<string, object?> { ["transcript"] = transcript }, cancellationToken));
        var summary = progress.Focused ? null : TaskAttempt<SessionSummaryResult>.RunAsync(CoachTask.SessionSummary, () =>
            tasks.RunStructuredAsync<SessionSummaryResult>(CoachTask.SessionSummary, new Dictionary<string, object?> { ["persona"] = persona, ["transcript"] = transcript }, cancellationToken));
        var goals = progress.GoalsSuggested ? null : TaskAttempt<GoalSuggestionsResult>.RunAsync(CoachTask.GoalSuggestions, () =>
            tasks.RunStructuredAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, new Dictionary<string, object?> { ["transcript"] = transcript, ["active_goals"] = Array.Empty<string>() }, cancellationToken));
        var scored = scoring is null ? null : await scoring;
        var summarized = summary is null ? null : await summary;
        var suggested = goals is null ? null : await goals;
        cancellationToken.ThrowIfCancellationRequested();

        var categories = summarized?.Result?.Value.KeyInsights
            .OrderByDescending(i => i.Importance)
            .Select(i => i.Category)
            .Where(DomainValues.EmotionalCategories.Contains)
            .Distinct()
            .Take(3)
            .ToList();
        var (name, done) = await database.ForUserAsync(userId, async db =>
        {
            var now = time.GetUtcNow();
            var session = await db.Sessions.SingleAsync(s => s.Id == sessionId, CancellationToken.None);
            if (scored?.Result is { } score)
            {
                PersonalityProfiles.Add(db, userId, score.Value, transcript, sessionId, score.PromptVersion, now, score.RenderedPromptHash);
                session.Metadata[ProfileDone] = score.PromptVersion;
            }

            if (categories is not null)
            {
                var existing = await db.EmotionalFocusCategories.Select(c => c.Category).ToListAsync(CancellationToken.None);
                var priority = existing.Count + 1;
                foreach (var category in categories.Where(c => !existing.Contains(c)))
                {
                    db.EmotionalFocusCategories.Add(new EmotionalFocusCategory { UserId = userId, Category = category, Priority = priority++, CreatedAt = now });
                }

                session.Metadata[FocusDone] = summarized!.Result!.PromptVersion;
            }

            if (suggested?.Result is { } offered)
            {
                foreach (var goal in offered.Value.Goals)
                {
                    GoalBook.Add(db, userId, new NewGoal(goal.Description, goal.SmartGoal, goal.Category, Source: "onboarding", SuggestedBySessionId: sessionId), now);
                }

                session.Metadata[GoalsDone] = offered.PromptVersion;
            }

            var all = session.Metadata.ContainsKey(ProfileDone) && session.Metadata.ContainsKey(FocusDone) && session.Metadata.ContainsKey(GoalsDone);
            var user = await db.Users.SingleAsync(CancellationToken.None);
            if (all)
            {
                session.Metadata[Completed] = "true";
                user.OnboardingCompleted = true;
            }

            return (user.Name, all);
        }, CancellationToken.None);

        if (!done)
        {
            throw new IncompleteModelWorkException("onboarding could not be finished", "send the turn again to finish the rest",
                ("the personality profile", scored?.Failure), ("the focus areas", summarized?.Failure), ("the first goals", suggested?.Failure));
        }

        // Everything is stored now; the event and the closing words read it back from the stored rows.
        return await database.ForUserAsync(userId, async db =>
        {
            var profile = await db.PersonalityAssessments.NewestFirst().FirstAsync(a => a.SessionId == sessionId, CancellationToken.None);
            var focus = await db.EmotionalFocusCategories.AsNoTracking().OrderBy(c => c.Priority).Select(c => c.Category).ToListAsync(CancellationToken.None);
            var first = await db.Goals.AsNoTracking().Where(g => g.SuggestedBySessionId == sessionId && g.Source == "onboarding")
                .OrderBy(g => g.CreatedAt).Select(g => g.GoalText).ToListAsync(CancellationToken.None);
            var completed = new OnboardingCompleted(sessionId, profile.DiscType, profile.EnneagramType, profile.EnneagramWing, (double)profile.Confidence,
                focus, first);
            return new OnboardingOutcome(completed, Closing(name, first), scored?.Result?.ModelId, profile.PromptVersion ?? "", profile.PromptHash);
        }, CancellationToken.None);
    }

    private static string Closing(string? name, IReadOnlyList<string> goals) =>
        $"Thank you{(string.IsNullOrWhiteSpace(name) ? "" : ", " + name)}. That gives me a first picture of who you are and what matters to you. " +
        (goals.Count > 0 ? $"I noted a first goal: {goals[0].TrimEnd('.')}. " : "") +
        "From our next session on, I will coach you with that in mind.";
}
