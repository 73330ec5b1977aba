using CoachService.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CoachService.Tests.Conversations;

public sealed class TurnTests
{
    [Fact]
    public async Task A_reply_streams_in_order_with_sentence_marks_and_is_stored_with_its_figures()
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("ana@example.com", "Ana");
        var session = await ana.StartSessionAsync();

        var accepted = await ana.SendTurnAsync(session.SessionId, "turn-1", "Work has been a lot this week.");
        var completed = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());
        var chunks = new List<Conversations.ReplyChunkView>();
        while (ana.Chunks.Reader.TryRead(out var chunk))
        {
            chunks.Add(new Conversations.ReplyChunkView(chunk.Sequence, chunk.Text, chunk.SentenceEnd, chunk.TurnId));
        }

        Assert.Equal("streaming", accepted.State);
        Assert.Equal(1, accepted.UserSequence);
        Assert.Equal(Enumerable.Range(1, chunks.Count), chunks.Select(c => c.Sequence));
        Assert.All(chunks, c => Assert.Equal("turn-1", c.TurnId));
        Assert.Equal(completed.Content, string.Concat(chunks.Select(c => c.Text)));
        // Three sentences, each closed by a marked piece that ends with its punctuation.
        var sentences = new List<string>();
        var spoken = "";
        foreach (var chunk in chunks)
        {
            spoken += chunk.Text;
            if (chunk.SentenceEnd)
            {
                Assert.True(chunk.Text.Length == 0 || !char.IsWhiteSpace(chunk.Text[^1]));
                sentences.Add(spoken);
                spoken = "";
            }
        }

        Assert.Equal(3, sentences.Count);
        Assert.EndsWith("week.", sentences[0]);
        Assert.EndsWith("now?", sentences[1]);
        Assert.True(chunks[^1].SentenceEnd);

        Assert.Equal(2, completed.Sequence);
        Assert.Equal("text", completed.Kind);
        Assert.False(completed.Interrupted);
        Assert.Equal("fake-model", completed.Model);
        Assert.True(completed.OutputTokens > 0);
        Assert.NotNull(completed.TimeToFirstTokenMs);
        Assert.True(completed.TimeToFirstSentenceMs >= completed.TimeToFirstTokenMs);
        Assert.True(completed.TotalMs >= completed.TimeToFirstSentenceMs);

        // Off the streaming path, the user's message gets its emotions, stored and pushed.
        var emotions = await CoachClient.WaitForAsync(() => ana.Emotions.FirstOrDefault());
        Assert.Equal(1, emotions.MessageSequence);
        Assert.Equal("hopeful", emotions.Emotions.Single().Emotion);

        var stored = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, async db =>
            (await db.Messages.OrderBy(m => m.SequenceNumber).ToListAsync(), await db.MessageEmotions.ToListAsync()));
        Assert.Equal(["user", "assistant"], stored.Item1.Select(m => m.Role));
        Assert.Equal("Work has been a lot this week.", stored.Item1[0].Content);
        Assert.Equal(completed.Content, stored.Item1[1].Content);
        Assert.Equal(12, stored.Item1[1].PromptVersion!.Length);
        Assert.Equal(stored.Item1[0].Id, stored.Item2.Single().MessageId);
    }

    [Trait("Suite", "Reliability")]
    [Fact]
    public async Task Repeating_a_turn_id_gives_one_stored_message_and_one_llm_call()
    {
        await using var harness = await ConversationHarness.StartAsync();
        harness.CoachReply = _ => Testing.FakeResponse.Reply("One two three. Four five six.") with { DelayBetweenChunks = TimeSpan.FromMilliseconds(100) };
        await using var ana = await harness.ConnectAsync("repeat@example.com");
        var session = await ana.StartSessionAsync();

        var first = await ana.SendTurnAsync(session.SessionId, "same-turn", "Hello there.");
        var whileStreaming = await ana.SendTurnAsync(session.SessionId, "same-turn", "Hello there.");
        var reply = await CoachClient.WaitForAsync(() => ana.Completed.FirstOrDefault());
        var afterwards = await ana.SendTurnAsync(session.SessionId, "same-turn", "Hello there.");

        Assert.Equal("streaming", first.State);
        Assert.Equal("streaming", whileStreaming.State); // joined the reply being generated
        Assert.Equal("completed", afterwards.State);
        Assert.Equal(reply.Content, afterwards.Reply!.Content);
        Assert.Equal(first.UserSequence, afterwards.UserSequence);
        Assert.Single(harness.TextRequests);
        Assert.Single(harness.RequestsFor("safety_screen"));
        var count = await harness.App.Database.Get<CoachDatabase>().ForUserAsync(ana.UserId, db => db.Messages.CountAsync());
        Assert.Equal(2, count);

        var reused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(
            () => ana.SendTurnAsync(session.SessionId, "same-turn", "Something else entirely."));
        Assert.Contains("conflict: turn_id", reused.Message);
    }
}
