using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Profiles;

/// <summary>The user's personality assessments; the latest one is the current profile.</summary>
public sealed class PersonalityProfiles(CoachDatabase database, TimeProvider time)
{
    public Task<PersonalityAssessment> RecordAsync(
        Guid userId, PersonalityAssessmentResult result, string? transcript, Guid? sessionId = null, string? promptVersion = null,
        CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, db => Task.FromResult(Add(db, userId, result, transcript, sessionId, promptVersion, time.GetUtcNow())),
            cancellationToken);

    /// <summary>Adds an assessment inside an open unit of work.</summary>
    public static PersonalityAssessment Add(
        CoachDbContext db, Guid userId, PersonalityAssessmentResult result, string? transcript, Guid? sessionId, string? promptVersion, DateTimeOffset now,
        string? promptHash = null)
    {
        var assessment = new PersonalityAssessment
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            SessionId = sessionId,
            DiscType = result.DiscType,
            DiscScores = result.DiscScores,
            EnneagramType = result.EnneagramType,
            EnneagramWing = result.EnneagramWing,
            EnneagramScores = result.EnneagramScores.ToList(),
            Confidence = Math.Round((decimal)result.Confidence, 2),
            Insights = result.Insights.ToList(),
            AssessmentTranscript = transcript,
            PromptVersion = promptVersion,
            PromptHash = promptHash,
            CompletedAt = now,
            CreatedAt = now,
        };
        db.PersonalityAssessments.Add(assessment);
        return assessment;
    }

    public Task<PersonalityAssessment?> GetCurrentAsync(Guid userId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, db => db.PersonalityAssessments.NewestFirst().FirstOrDefaultAsync(cancellationToken), cancellationToken);
}

public static class PersonalityAssessmentQueries
{
    /// <summary>Assessments newest first: the first is the user's current profile.</summary>
    public static IQueryable<PersonalityAssessment> NewestFirst(this IQueryable<PersonalityAssessment> assessments) =>
        assessments.AsNoTracking().OrderByDescending(a => a.CompletedAt).ThenByDescending(a => a.Id);
}
