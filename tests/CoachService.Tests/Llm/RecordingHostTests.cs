using System.Text.Json;
using CoachService.Testing;
using CoachService.Tests.Conversations;

namespace CoachService.Tests.Llm;

/// <summary>The recording layer in the served pipeline: switched on by Llm:Recording, on the real host and the fake model server.</summary>
public sealed class RecordingHostTests
{
    private static Dictionary<string, string?> Recording(string mode, string path) => new()
    {
        ["Llm:Recording:Mode"] = mode,
        ["Llm:Recording:Path"] = path,
    };

    [Fact]
    public async Task Record_mode_writes_a_turns_calls_and_replay_mode_answers_the_same_turn_without_the_model()
    {
        using var folder = new TemporaryFolder();
        string recordedReply;
        await using (var recording = await ConversationHarness.StartAsync(Recording("record", folder.Path)))
        {
            recordedReply = await TalkOnceAsync(recording);
            Assert.Equal(3, recording.Llm.Requests.Count); // safety screen, reply, emotions
        }

        var files = Directory.GetFiles(folder.Path, "*.json");
        var tasks = files.Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("task").GetString()).Order().ToList();
        Assert.Equal(["coach_reply", "emotional_snapshot", "safety_screen"], tasks);

        await using var replaying = await ConversationHarness.StartAsync(Recording("replay", folder.Path));
        var replayedReply = await TalkOnceAsync(replaying);

        Assert.Equal(recordedReply, replayedReply);
        Assert.Empty(replaying.Llm.Requests);
    }

    [Fact]
    public async Task Off_by_default_and_the_fake_model_answers()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await TalkOnceAsync(harness);
        Assert.Equal(3, harness.Llm.Requests.Count);
    }

    /// <summary>The same user, session and turn each time, so the requests (and their recording keys) are the same.</summary>
    private static async Task<string> TalkOnceAsync(ConversationHarness harness)
    {
        await using var ana = await harness.ConnectAsync("recorded@example.com", "Ana");
        var session = await ana.StartSessionAsync();
        var reply = await ana.TalkAsync(session.SessionId, "t1", "Work has been a lot this week.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());
        return reply.Content;
    }
}
