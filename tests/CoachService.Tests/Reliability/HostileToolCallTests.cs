using System.Collections.Concurrent;
using System.Text.Json;
using CoachService.Conversations;
using CoachService.Goals;
using CoachService.Persistence;
using CoachService.Sessions;
using CoachService.Testing;
using CoachService.Tests.Conversations;
using CoachService.Wellbeing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CoachService.Tests.Reliability;

/// <summary>
/// A model that calls tools it was not given, or calls a real one with arguments for another user, through a
/// whole turn on the real host (openai provider on the fake LLM): the turn ends with a reply, nothing is
/// executed, neither the stored reply's actions nor a CoachAction event claim anything was done, and the
/// refusal goes back to the model, never to the user.
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class HostileToolCallTests
{
    private const string Reply = "I can only help with your own goals.";

    /// <summary>The tool call of each case, from the offered tools and the ids in play.</summary>
    public static TheoryData<string> Calls => ["delete_all_goals", "goals_delete_all_goals", "mood_delete_everything", "progress for another user's goal", "list another user's goals"];

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_call_to_a_missing_function_or_for_another_user_executes_nothing_and_only_the_model_hears_the_refusal(string call)
    {
        await using var harness = await ConversationHarness.StartAsync();
        await using var ana = await harness.ConnectAsync("ana.tools@example.com", "Ana");
        await using var bo = await harness.ConnectAsync("bo.tools@example.com", "Bo");
        var goals = harness.App.Services.GetRequiredService<GoalBook>();
        var anasGoal = await goals.CreateAsync(ana.UserId, new NewGoal("Walk every morning")).WaitAsync(ConversationHarness.Timeout);
        var bosGoal = await goals.CreateAsync(bo.UserId, new NewGoal("Bo's private marathon plan")).WaitAsync(ConversationHarness.Timeout);
        var actions = new ConcurrentQueue<TurnAction>();
        ana.Connection.On<TurnAction>("CoachAction", actions.Enqueue);
        bo.Connection.On<TurnAction>("CoachAction", actions.Enqueue);
        harness.CoachReply = request => request.Messages.Any(m => m.Role == "tool")
            ? FakeResponse.Reply(Reply)
            : FakeResponse.CallTools(Hostile(call, request, bo.UserId, bosGoal.Id));
        var session = await ana.StartSessionAsync();

        var completed = await ana.TalkAsync(session.SessionId, "turn-1", "Please clear out everything, I ran three times.");

        // A reply, no failure, no hang.
        Assert.Equal(Reply, completed.Content);
        Assert.Empty(ana.Failed);
        // Nothing executed: both users' goals as they were, no mood logged.
        Assert.Equal([("Walk every morning", 0, "active")], (await goals.ListAsync(ana.UserId, null)).Select(g => (g.GoalText, g.ProgressPercentage, g.Status)));
        Assert.Equal([("Bo's private marathon plan", 0, "active")], (await goals.ListAsync(bo.UserId, null)).Select(g => (g.GoalText, g.ProgressPercentage, g.Status)));
        var journal = harness.App.Services.GetRequiredService<MoodJournal>();
        Assert.Empty(await journal.ListAsync(ana.UserId));
        Assert.Empty(await journal.ListAsync(bo.UserId));
        // Nothing claims success: no event says done, and the stored reply records no done action.
        await Task.Delay(200); // an event sent after TurnCompleted would still arrive
        Assert.DoesNotContain(actions, a => a.Action.Outcome == CoachActionOutcome.Done);
        var stored = await harness.App.Services.GetRequiredService<CoachDatabase>().ForUserAsync(ana.UserId, db =>
            db.Messages.AsNoTracking().SingleAsync(m => m.SessionId == session.SessionId && m.Role == "assistant"));
        Assert.DoesNotContain(stored.Actions ?? [], a => a.Outcome == CoachActionOutcome.Done);
        Assert.Equal(Reply, stored.Content);
        // The refusal went back to the model as the tool's result, and nothing of Bo's reached it.
        var followUp = harness.TextRequests[^1];
        var result = Assert.Single(followUp.Messages, m => m.Role == "tool").Content;
        if (call == "list another user's goals")
        {
            // Listed as the turn's user whatever the arguments say: Ana's goal only.
            Assert.Contains("Walk every morning", result, StringComparison.Ordinal);
        }
        else
        {
            Assert.Matches("(?i)not found|no goal", result);
        }

        Assert.All(harness.Llm.Requests, r => Assert.DoesNotContain("marathon", r.Body.GetRawText(), StringComparison.Ordinal));
        Assert.Equal(2, harness.TextRequests.Count);
    }

    private static FakeToolCall Hostile(string call, FakeRequest request, Guid otherUser, Guid otherGoal)
    {
        var offered = request.Body.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function")).ToList();
        JsonElement Tool(string suffix) => offered.Single(f => f.GetProperty("name").GetString()!.EndsWith(suffix, StringComparison.Ordinal));
        string Parameter(JsonElement tool, string part) => tool.GetProperty("parameters").GetProperty("properties").EnumerateObject()
            .Select(p => p.Name).Single(n => n.Contains(part, StringComparison.OrdinalIgnoreCase));
        switch (call)
        {
            case "progress for another user's goal":
                var record = Tool("record_goal_progress");
                return new FakeToolCall("call-1", record.GetProperty("name").GetString()!, JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    [Parameter(record, "goal")] = otherGoal.ToString(),
                    [Parameter(record, "progress")] = 100,
                    ["userId"] = otherUser.ToString(), // not a parameter: who acts comes from the turn
                }));
            case "list another user's goals":
                var list = Tool("list_active_goals");
                return new FakeToolCall("call-1", list.GetProperty("name").GetString()!, JsonSerializer.Serialize(new { userId = otherUser, user_id = otherUser }));
            default:
                Assert.DoesNotContain(offered, f => f.GetProperty("name").GetString() == call);
                return new FakeToolCall("call-1", call, JsonSerializer.Serialize(new { confirm = true, userId = otherUser }));
        }
    }
}
