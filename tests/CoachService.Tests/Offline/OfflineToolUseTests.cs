using CoachService.Llm.Offline;
using CoachService.Llm.Tasks;
using CoachService.Testing;
using CoachService.Tests.Prompts;
using Microsoft.Extensions.AI;

namespace CoachService.Tests.Offline;

public sealed class OfflineToolUseTests
{
    [Theory]
    [InlineData("I ran three times this week.", "run")]
    [InlineData("I walked 20 minutes every morning", "walk")]
    [InlineData("I meditated twice today", "meditat")]
    [InlineData("I didn't run at all this week", null)]
    [InlineData("I like running", null)]
    public void AProgressReportNamesItsActivity(string message, string? activity) => Assert.Equal(activity, OfflineToolUse.Activity(message));

    [Theory]
    [InlineData("I feel 4 out of 5 today", "good", 8)]
    [InlineData("My mood is 3/10", "low", 3)]
    [InlineData("I feel great", null, 0)]
    [InlineData("I read 4 out of 5 chapters", null, 0)]
    public void AStatedRatingIsAMood(string message, string? mood, int intensity) =>
        Assert.Equal(mood is null ? null : (mood, intensity), OfflineToolUse.Mood(message));

    [Fact]
    public async Task TheOfflineEngineAsksForTheToolWhenTheRequestOffersIt()
    {
        var offline = new RecordingClient(new OfflineChatClient(new OfflineEngineOptions { WordDelay = TimeSpan.Zero }));
        var runner = KernelTestKit.Runner(offline, plugins: ToolTestKit.Plugins());
        var inputs = new Dictionary<string, object?>
        {
            ["persona"] = "warm_friend", ["language"] = "en", ["user_name"] = "Sam", ["disc_type"] = "", ["enneagram_type"] = null,
            ["active_goals"] = new List<string> { "Run three times a week" }, ["recent_insights"] = new List<string>(), ["message"] = "I ran three times this week.",
        };

        var updates = await runner.StartText(CoachTask.CoachReply, inputs, null, new TaskActor(Guid.NewGuid()), CancellationToken.None)
            .Updates.ToListAsync().AsTask().WaitAsync(PromptTestFiles.Timeout);

        var call = updates.SelectMany(u => u.Contents).OfType<Microsoft.Extensions.AI.FunctionCallContent>().First();
        Assert.EndsWith("list_active_goals", call.Name, StringComparison.Ordinal);
    }

    private sealed class RecordingClient(IChatClient inner) : DelegatingChatClient(inner);
}
