using System.Security.Cryptography;
using System.Text;
using CoachService.Llm.Tasks;
using CoachService.Persistence;
using CoachService.Privacy;
using CoachService.Prompts;
using CoachService.Conversations;
using CoachService.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Conversations;

/// <summary>
/// What a later prompt replay needs is stored: beside each prompt version, the hash of the rendered
/// prompt that produced the row. The expected hash is recomputed from the request the fake model
/// received, so the test checks that the stored hash names exactly what the model was sent.
/// </summary>
public sealed class PromptProvenanceTests
{
    [Fact]
    public async Task A_coached_turn_its_emotions_and_the_session_end_store_the_hash_of_the_prompt_the_model_received()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("provenance@example.com", "Ana");
        var session = await ana.StartSessionAsync();

        var reply = await ana.TalkAsync(session.SessionId, "t1", "I keep saying yes to everything at work.");
        await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());
        await ana.InvokeAsync<SessionSummary>("EndSession", session.SessionId);

        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, async db => new
        {
            Reply = await db.Messages.SingleAsync(m => m.Role == "assistant"),
            Emotions = await db.MessageEmotions.ToListAsync(),
            Session = await db.Sessions.SingleAsync(),
        });
        Assert.Equal(reply.Sequence, stored.Reply.SequenceNumber);
        Assert.Equal(HashOf(Assert.Single(harness.TextRequests)), stored.Reply.PromptHash);
        var emotionsHash = HashOf(Assert.Single(harness.RequestsFor(CoachTask.EmotionalSnapshot)));
        Assert.All(stored.Emotions, e => Assert.Equal(emotionsHash, e.PromptHash));
        Assert.NotEmpty(stored.Emotions);
        Assert.Equal(HashOf(Assert.Single(harness.RequestsFor(CoachTask.SessionSummary))), stored.Session.Metadata["prompt_hash.session_summary"]);
        Assert.Equal(HashOf(Assert.Single(harness.RequestsFor(CoachTask.GoalSuggestions))), stored.Session.Metadata["prompt_hash.goal_suggestions"]);
        Assert.NotEqual(stored.Session.Metadata["prompt_hash.session_summary"], stored.Session.Metadata["prompt_hash.goal_suggestions"]);

        // The data export carries them too.
        var export = (await harness.App.Services.GetRequiredService<UserDataPrivacy>().ExportAsync(ana.UserId))!;
        var exportedReply = export["messages"]!.AsArray().Single(m => (string?)m!["role"] == "assistant")!;
        Assert.Equal(stored.Reply.PromptHash, (string?)exportedReply["prompt_hash"]);
        Assert.Equal(emotionsHash, (string?)export["message_emotions"]![0]!["prompt_hash"]);
        Assert.Equal(stored.Session.Metadata["prompt_hash.session_summary"], (string?)export["sessions"]![0]!["metadata"]!["prompt_hash.session_summary"]);
    }

    /// <summary>SHA-256 of the request's messages in the kernel's chat prompt form, which is what the prompt's function hashes.</summary>
    internal static string HashOf(FakeRequest request)
    {
        var messages = request.Messages.Select(m => new ChatMessage(new ChatRole(m.Role), m.Content));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RenderedPrompt.Text(messages))));
    }
}
