using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Sessions;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Conversations;

/// <summary>The emotions of a user's message: computed by the model after the reply, stored once per message.</summary>
public sealed class EmotionalSnapshots(CoachDatabase database, LlmTaskRunner tasks, TimeProvider time)
{
    /// <summary>Computes and stores the emotions of the turn's message; null when a repeated turn already has them.</summary>
    public async Task<TurnEmotions?> RecordAsync(Guid userId, Guid sessionId, string turnId, Guid messageId, int userSequence, string text)
    {
        var result = await tasks.RunStructuredAsync<EmotionalSnapshotResult>(
            CoachTask.EmotionalSnapshot, new Dictionary<string, object?> { ["message"] = text }, CancellationToken.None);
        var stored = await database.ForUserAsync(userId, async db =>
        {
            if (await db.MessageEmotions.AnyAsync(e => e.MessageId == messageId))
            {
                return false; // a repeated turn: the first computation stands
            }

            foreach (var emotion in result.Value.Emotions)
            {
                db.MessageEmotions.Add(new MessageEmotion
                {
                    UserId = userId,
                    SessionId = sessionId,
                    MessageId = messageId,
                    Emotion = emotion.Emotion,
                    Intensity = emotion.Intensity,
                    Color = emotion.Color,
                    Confidence = Math.Round((decimal)emotion.Confidence, 2),
                    PromptVersion = result.PromptVersion,
                    PromptHash = result.RenderedPromptHash,
                    CreatedAt = time.GetUtcNow(),
                });
            }

            return true;
        });
        return stored ? new TurnEmotions(sessionId, turnId, userSequence, result.Value.Emotions) : null;
    }

    /// <summary>The session's emotions: each emotion once, at its strongest, the most frequent first (at most five).</summary>
    public static async Task<List<EmotionReading>> OfSessionAsync(CoachDbContext db, Guid sessionId, CancellationToken cancellationToken)
    {
        var emotions = await db.MessageEmotions.AsNoTracking()
            .Where(e => e.SessionId == sessionId)
            .Select(e => new { e.Emotion, e.Intensity, e.Color, e.Confidence })
            .ToListAsync(cancellationToken);
        return emotions
            .GroupBy(e => e.Emotion)
            .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Max(e => e.Intensity)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(5)
            .Select(g => new EmotionReading(g.Key, g.Max(e => e.Intensity), g.First().Color, (double)Math.Round(g.Average(e => e.Confidence), 2)))
            .ToList();
    }
}
