using CoachService.Persistence;
using CoachService.Progress;
using CoachService.Users;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Goals;

public sealed record NewGoal(
    string GoalText,
    string? SmartGoal = null,
    string GoalType = "emotional_wellness",
    DateOnly? TargetDate = null,
    string Source = "user_created",
    Guid? SuggestedBySessionId = null);

/// <summary>The user's goals. Completing a goal advances the weekly-goal streak and may earn achievements.</summary>
public sealed class GoalBook(CoachDatabase database, TimeProvider time)
{
    public Task<Goal> CreateAsync(Guid userId, NewGoal request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        return database.ForUserAsync(userId, db => Task.FromResult(Add(db, userId, request, time.GetUtcNow())), cancellationToken);
    }

    /// <summary>
    /// Makes a goal of the session's suggested goal number <paramref name="index"/> (from 0). A
    /// suggestion is accepted once: a goal from the same session with the same text is a conflict.
    /// </summary>
    public Task<Goal> AcceptSuggestionAsync(Guid userId, Guid sessionId, int index, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, async db =>
        {
            // Locks the session row, so two accepts of the same suggestion cannot both pass the check.
            var session = await db.Sessions
                .FromSql($"SELECT * FROM sessions WHERE id = {sessionId} FOR UPDATE")
                .AsNoTracking().SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainNotFoundException("session", sessionId);
            var suggestions = session.SuggestedGoals ?? [];
            if (index < 0 || index >= suggestions.Count)
            {
                throw new DomainNotFoundException("suggested goal", $"{index} of session {sessionId}");
            }

            var suggestion = suggestions[index];
            var text = suggestion.Description.Trim();
            // Goal text is encrypted (a query cannot compare it): the session's few goals are compared here.
            var accepted = await db.Goals.Where(g => g.SuggestedBySessionId == sessionId).Select(g => g.GoalText).ToListAsync(cancellationToken);
            if (accepted.Contains(text, StringComparer.Ordinal))
            {
                throw new DomainConflictException("suggested_goal", "this suggested goal was already accepted");
            }

            var type = DomainValues.GoalTypes.Contains(suggestion.Category) ? suggestion.Category : "personal_growth";
            return Add(db, userId, new NewGoal(text, suggestion.SmartGoal, type, null, "session_suggestion", sessionId), time.GetUtcNow());
        }, cancellationToken);

    private static void CheckStatus(ValidationErrors errors, string status) =>
        errors.Require(DomainValues.GoalStatuses.Contains(status), "status", $"status must be one of: {string.Join(", ", DomainValues.GoalStatuses)}");

    private static string Validate(NewGoal request)
    {
        var errors = new ValidationErrors();
        var text = request.GoalText.Trim();
        errors.Require(text.Length is >= 1 and <= 2000, "goal_text", "goal_text must be 1 to 2000 characters");
        errors.Require(request.SmartGoal is not { Length: > 2000 }, "smart_goal", "smart_goal must be at most 2000 characters");
        errors.Require(DomainValues.GoalTypes.Contains(request.GoalType), "goal_type", $"goal_type must be one of: {string.Join(", ", DomainValues.GoalTypes)}");
        errors.Require(DomainValues.GoalSources.Contains(request.Source), "source", $"source must be one of: {string.Join(", ", DomainValues.GoalSources)}");
        errors.ThrowIfAny();
        return text;
    }

    /// <summary>Adds a goal inside an open unit of work.</summary>
    public static Goal Add(CoachDbContext db, Guid userId, NewGoal request, DateTimeOffset now)
    {
        var text = Validate(request);

        var goal = new Goal
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            GoalText = text,
            SmartGoal = request.SmartGoal,
            GoalType = request.GoalType,
            TargetDate = request.TargetDate,
            Source = request.Source,
            SuggestedBySessionId = request.SuggestedBySessionId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Goals.Add(goal);
        return goal;
    }

    /// <summary>The user's goals, newest first, optionally only those with one status.</summary>
    public Task<IReadOnlyList<Goal>> ListAsync(Guid userId, string? status = null, CancellationToken cancellationToken = default)
    {
        if (status is not null)
        {
            var errors = new ValidationErrors();
            CheckStatus(errors, status);
            errors.ThrowIfAny();
        }

        return database.ForUserAsync<IReadOnlyList<Goal>>(userId, async db => await db.Goals.AsNoTracking()
            .Where(g => status == null || g.Status == status)
            .OrderByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id)
            .ToListAsync(cancellationToken), cancellationToken);
    }

    /// <summary>The goal, or null when the user has no such goal.</summary>
    public Task<Goal?> FindAsync(Guid userId, Guid goalId, CancellationToken cancellationToken = default) =>
        database.ForUserAsync(userId, db => db.Goals.AsNoTracking().SingleOrDefaultAsync(g => g.Id == goalId, cancellationToken), cancellationToken);

    /// <summary>Progress a goal is given back when it is reopened and the request does not say.</summary>
    public const int ReopenedProgress = 99;

    /// <summary>
    /// Changes status and/or progress; the two move together, so that "completed" and 100 % mean the same:
    /// <list type="bullet">
    /// <item>100 % without a status, or the status completed, completes the goal (at 100 %).</item>
    /// <item>A completed goal set back to active or paused, or given progress below 100 % without a
    /// status (which makes it active), is reopened: completed_at is cleared and progress is what the
    /// request says or, when it says none, <see cref="ReopenedProgress"/> % (the forced 100 % no longer
    /// holds; the work behind it still counts). Achievements and streaks it earned are kept.</item>
    /// <item>Archiving a completed goal keeps completed_at, the record of when it was done.</item>
    /// <item>Active or paused at 100 % is refused: 100 % completes a goal.</item>
    /// </list>
    /// </summary>
    public Task<(Goal Goal, IReadOnlyList<EarnedAchievement> NewAchievements)> UpdateAsync(
        Guid userId, Guid goalId, string? status, int? progressPercentage, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        if (status is not null)
        {
            CheckStatus(errors, status);
        }

        if (errors.Require(progressPercentage is null or (>= 0 and <= 100), "progress_percentage", "progress_percentage must be between 0 and 100"))
        {
            errors.Require(!(progressPercentage == 100 && status is "active" or "paused"), "progress_percentage",
                $"progress_percentage 100 completes a goal, so it cannot be {status}: send status completed, or a lower progress");
        }

        errors.ThrowIfAny();

        return database.ForUserAsync(userId, async db =>
        {
            var goal = await db.Goals.SingleOrDefaultAsync(g => g.Id == goalId, cancellationToken)
                ?? throw new DomainNotFoundException("goal", goalId);
            var now = time.GetUtcNow();
            var wasCompleted = goal.Status == "completed";
            goal.Status = status
                ?? progressPercentage switch
                {
                    100 => "completed",
                    < 100 when wasCompleted => "active",
                    _ => goal.Status,
                };
            if (progressPercentage is { } progress)
            {
                goal.ProgressPercentage = progress;
            }

            IReadOnlyList<EarnedAchievement> earned = [];
            if (goal.Status == "completed" && !wasCompleted)
            {
                goal.CompletedAt = now;
                goal.ProgressPercentage = 100;
                var user = await db.Users.SingleAsync(cancellationToken);
                await SessionCompletion.AdvanceStreakAsync(db, userId, "weekly_goal", UserClock.LocalDate(now, user.Timezone), now, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                earned = await AchievementEvaluator.EvaluateAsync(db, userId, now, cancellationToken);
            }
            else if (wasCompleted && goal.Status is "active" or "paused")
            {
                goal.CompletedAt = null;
                goal.ProgressPercentage = progressPercentage ?? Math.Min(goal.ProgressPercentage, ReopenedProgress);
            }

            goal.UpdatedAt = now;
            return (goal, earned);
        }, cancellationToken);
    }
}
