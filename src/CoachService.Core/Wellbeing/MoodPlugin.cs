using System.ComponentModel;
using System.Text.Json.Serialization;
using CoachService.Llm.Tasks;
using CoachService.Sessions;
using Microsoft.SemanticKernel;

namespace CoachService.Wellbeing;

/// <summary>What the mood tool tells the model.</summary>
public sealed record MoodToolResult(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("mood")] string? Mood = null,
    [property: JsonPropertyName("intensity")] int? Intensity = null,
    [property: JsonPropertyName("error")] string? Error = null);

/// <summary>
/// The coach's mood tool (plugin <see cref="PluginName"/>): logs a check-in the user states, as the
/// turn's user, through <see cref="MoodJournal"/> and its row level security.
/// </summary>
public sealed class MoodPlugin(MoodJournal journal)
{
    public const string PluginName = "mood";
    public const string LogMood = PluginName + ".log_mood";

    [KernelFunction("log_mood")]
    [Description("Logs a mood check-in the user clearly states about themselves right now, e.g. 'I feel 4 out of 5 today'.")]
    public async Task<MoodToolResult> LogMoodAsync(
        Kernel kernel,
        [Description("The mood in one to three words, e.g. calm, stressed, pretty good.")] string mood,
        [Description("How strong the mood is, 1 to 10; a rating out of 5 counts double.")] int intensity,
        CancellationToken cancellationToken)
    {
        var actor = TaskActor.Of(kernel);
        try
        {
            var checkIn = await journal.RecordAsync(actor.UserId, new NewMoodCheckIn(mood, intensity), cancellationToken).ConfigureAwait(false);
            await actor.RecordAsync(new CoachAction(LogMood, Mood: checkIn.Mood, Intensity: checkIn.Intensity)).ConfigureAwait(false);
            return new MoodToolResult(true, checkIn.Mood, checkIn.Intensity);
        }
        catch (DomainValidationException e)
        {
            // Recorded too, so the conversation record shows what the model tried; the model gets the reason.
            await actor.RecordAsync(CoachAction.Refused(LogMood, e.Message, mood: mood, intensity: intensity)).ConfigureAwait(false);
            return new MoodToolResult(false, Error: e.Message);
        }
    }
}
