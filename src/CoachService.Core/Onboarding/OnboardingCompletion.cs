using CoachService.Conversations;
using CoachService.Goals;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Profiles;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Onboarding;

/// <summary>How onboarding ended: what to tell the listeners, and the closing words of the coach.</summary>
public sealed record OnboardingOutcome(OnboardingCompleted Completed, string Closing, string? Model, string PromptVersion, string? PromptHash = null);

/// <summary>
/// The end of the onboarding assessment: scores the personality profile, finds the focus categories and
/// suggests first goals from the transcript (three independent model calls, made together), then stores
/// the profile, categories and goals in one unit of work and marks the user onboarded.
/// </summary>
public sealed class OnboardingCompletion(CoachDatabase database, LlmTaskRunner tasks, TimeProvider time)
{
    public async Task<OnboardingOutcome> FinishAsync(Guid userId, Guid sessionId, string persona, CancellationToken cancellationToken)
    {
        var transcript = await database.ForUserAsync(userId, db => Transcript.OfSessionAsync(db, sessionId, cancellationToken), cancellationToken);

        var scoring = tasks.RunStructuredAsync<PersonalityAssessmentResult>(
            CoachTask.AssessmentScoring, new Dictionary<string, object?> { ["transcript"] = transcript }, cancellationToken);
        var summary = tasks.RunStructuredAsync<SessionSummaryResult>(
            CoachTask.SessionSummary, new Dictionary<string, object?> { ["persona"] = persona, ["transcript"] = transcript }, cancellationToken);
        var goals = tasks.RunStructuredAsync<GoalSuggestionsResult>(
            CoachTask.GoalSuggestions, new Dictionary<string, object?> { ["transcript"] = transcript, ["active_goals"] = Array.Empty<string>() }, cancellationToken);
        await Task.WhenAll(scoring, summary, goals);

        var profile = (await scoring).Value;
        var suggested = (await goals).Value.Goals;
        var categories = (await summary).Value.KeyInsights
            .OrderByDescending(i => i.Importance)
            .Select(i => i.Category)
            .Where(DomainValues.EmotionalCategories.Contains)
            .Distinct()
            .Take(3)
            .ToList();
        var scoringPrompt = (await scoring).PromptVersion;
        var scoringHash = (await scoring).RenderedPromptHash;
        var name = await database.ForUserAsync(userId, async db =>
        {
            var now = time.GetUtcNow();
            PersonalityProfiles.Add(db, userId, profile, transcript, sessionId, scoringPrompt, now, scoringHash);
            var user = await db.Users.SingleAsync(CancellationToken.None);
            user.OnboardingCompleted = true;
            var existing = await db.EmotionalFocusCategories.Select(c => c.Category).ToListAsync(CancellationToken.None);
            var priority = 1;
            foreach (var category in categories.Where(c => !existing.Contains(c)))
            {
                db.EmotionalFocusCategories.Add(new EmotionalFocusCategory { UserId = userId, Category = category, Priority = priority++, CreatedAt = now });
            }

            foreach (var goal in suggested)
            {
                GoalBook.Add(db, userId, new NewGoal(goal.Description, goal.SmartGoal, goal.Category, Source: "onboarding", SuggestedBySessionId: sessionId), now);
            }

            return user.Name;
        }, CancellationToken.None);

        var completed = new OnboardingCompleted(sessionId, profile.DiscType, profile.EnneagramType, profile.EnneagramWing, profile.Confidence,
            categories, suggested.Select(g => g.Description).ToList());
        return new OnboardingOutcome(completed, Closing(name, suggested), (await scoring).ModelId, scoringPrompt, scoringHash);
    }

    private static string Closing(string? name, IReadOnlyList<SuggestedGoal> goals) =>
        $"Thank you{(string.IsNullOrWhiteSpace(name) ? "" : ", " + name)}. That gives me a first picture of who you are and what matters to you. " +
        (goals.Count > 0 ? $"I noted a first goal: {goals[0].Description.TrimEnd('.')}. " : "") +
        "From our next session on, I will coach you with that in mind.";
}
