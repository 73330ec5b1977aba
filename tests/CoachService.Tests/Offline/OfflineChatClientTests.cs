using System.Text.Json;
using CoachService.Llm.Offline;
using CoachService.Llm.Tasks;
using CoachService.Profiles;
using Microsoft.Extensions.AI;
using static CoachService.Tests.Offline.OfflineTestKit;

namespace CoachService.Tests.Offline;

public sealed class OfflineChatClientTests
{
    private const string AnswerTranscript =
        "I like to lead and get results fast. I decide quickly and push the team to win. " +
        "Honestly I get impatient when people waste time, I want to take charge and get it done.";

    public static TheoryData<string> Tasks() => [.. CoachTask.All];

    public static IReadOnlyDictionary<string, object?> InputsFor(string task) => task switch
    {
        CoachTask.CoachReply => new Dictionary<string, object?>
        {
            ["persona"] = CoachPersona.WiseMentor, ["language"] = "en", ["user_name"] = "Ana", ["disc_type"] = "C", ["enneagram_type"] = 5,
            ["active_goals"] = new List<string> { "Sleep 7 hours a night" }, ["recent_insights"] = new List<string>(),
            ["message"] = "I keep waking up at 3am worrying about my sleep and my job.",
        },
        CoachTask.AssessmentQuestion => new Dictionary<string, object?>
        {
            ["user_name"] = "Ana", ["question_number"] = 3, ["message"] = "I usually make a list and work through it carefully.",
        },
        CoachTask.AssessmentScoring => new Dictionary<string, object?> { ["transcript"] = AnswerTranscript },
        CoachTask.EmotionalSnapshot => new Dictionary<string, object?> { ["message"] = "I'm so nervous about tomorrow, but grateful for my friends!" },
        CoachTask.SessionSummary => new Dictionary<string, object?>
        {
            ["persona"] = CoachPersona.GentleGuide,
            ["transcript"] = "User: Work has been so stressful, deadlines everywhere.\nCoach: That sounds hard.\nUser: I snapped at my partner and I feel guilty.",
        },
        CoachTask.GoalSuggestions => new Dictionary<string, object?>
        {
            ["transcript"] = "I want to read more books and I'd like to call my mum every week.", ["active_goals"] = new List<string>(),
        },
        CoachTask.SafetyScreen => new Dictionary<string, object?> { ["message"] = "I had a rough day at work." },
        _ => throw new ArgumentOutOfRangeException(nameof(task)),
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public async Task Same_request_twice_gives_the_same_answer_for_every_task(string task)
    {
        var first = await TextAsync(task, InputsFor(task));
        var second = await Client().GetResponseAsync(Prompt(string.Empty), Options(task, InputsFor(task))).WaitAsync(AwaitLimit);

        Assert.False(string.IsNullOrWhiteSpace(first));
        Assert.Equal(first, second.Text);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public async Task Response_says_it_is_the_offline_heuristic_engine(string task)
    {
        var response = await AskAsync(task, InputsFor(task));

        var message = Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("coach-offline-heuristic-1", response.ModelId);
        Assert.Equal("offline-heuristic", response.AdditionalProperties?["engine"]);
        Assert.Equal(false, response.AdditionalProperties?["is_language_model"]);
        Assert.Equal(task, response.AdditionalProperties?["task"]);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.OutputTokenCount > 0);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
    }

    [Fact]
    public void Metadata_names_the_offline_provider_and_model()
    {
        using var client = Client();

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("offline", metadata.ProviderName);
        Assert.Equal("coach-offline-heuristic-1", metadata.DefaultModelId);
        Assert.Same(client, client.GetService<OfflineChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("some-key"));
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public async Task Streaming_yields_several_updates_that_join_into_the_non_streaming_answer(string task)
    {
        var whole = await TextAsync(task, InputsFor(task));

        var updates = await StreamAsync(Client(), task, InputsFor(task)).WaitAsync(AwaitLimit);

        Assert.True(updates.Count > 3, $"only {updates.Count} updates");
        Assert.Equal(whole, string.Concat(updates.Select(update => update.Text)));
        Assert.All(updates.SkipLast(1), update => Assert.Null(update.FinishReason));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Contains(updates[^1].Contents, content => content is UsageContent);
    }

    [Fact]
    public async Task Streamed_reply_comes_one_word_at_a_time()
    {
        var updates = await StreamAsync(Client(), CoachTask.CoachReply, InputsFor(CoachTask.CoachReply)).WaitAsync(AwaitLimit);

        Assert.All(updates, update => Assert.Single(update.Text.Trim().Split(' ')));
    }

    [Fact]
    public async Task Cancelling_stops_the_stream_promptly()
    {
        var client = Client(wordDelay: TimeSpan.FromMilliseconds(200));
        using var cancellation = new CancellationTokenSource();
        var received = 0;

        var reading = Task.Run(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync(Prompt(string.Empty), Options(CoachTask.CoachReply, InputsFor(CoachTask.CoachReply)), cancellation.Token))
            {
                if (++received == 2)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(AwaitLimit));
        Assert.Equal(2, received);
    }

    [Fact]
    public async Task Without_a_task_a_plain_chat_call_gets_a_coach_reply_to_the_last_user_message()
    {
        using var client = Client();

        var response = await client.GetResponseAsync(Prompt("I'm worried about my exam on Friday")).WaitAsync(AwaitLimit);

        Assert.Equal(CoachTask.CoachReply, response.AdditionalProperties?["task"]);
        Assert.Contains("exam on friday", response.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_a_task_the_json_schema_name_picks_the_task()
    {
        using var client = Client();
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("{}").RootElement, CoachTask.SafetyScreen) };

        var response = await client.GetResponseAsync(Prompt("I want to kill myself"), options).WaitAsync(AwaitLimit);

        var result = JsonSerializer.Deserialize<SafetyScreenResult>(response.Text);
        Assert.NotNull(result);
        Assert.True(result.IsCrisis);
    }

    [Fact]
    public async Task Inputs_given_as_json_elements_are_read_like_plain_values()
    {
        var inputs = JsonSerializer.SerializeToElement(new
        {
            persona = CoachPersona.ConfidentCoach,
            user_name = "Lee",
            disc_type = "D",
            active_goals = new[] { "Run a 5k by June" },
            recent_insights = Array.Empty<string>(),
            message = "My running has stalled and I feel stuck",
        });
        var asJson = new ChatOptions
        {
            AdditionalProperties = new() { [CoachChatOptionKeys.Task] = CoachTask.CoachReply, [CoachChatOptionKeys.Inputs] = inputs },
        };
        var asDictionary = Options(CoachTask.CoachReply, new Dictionary<string, object?>
        {
            ["persona"] = CoachPersona.ConfidentCoach, ["user_name"] = "Lee", ["disc_type"] = "D",
            ["active_goals"] = new[] { "Run a 5k by June" }, ["recent_insights"] = Array.Empty<string>(),
            ["message"] = "My running has stalled and I feel stuck",
        });

        var fromJson = await Client().GetResponseAsync(Prompt(string.Empty), asJson).WaitAsync(AwaitLimit);
        var fromDictionary = await Client().GetResponseAsync(Prompt(string.Empty), asDictionary).WaitAsync(AwaitLimit);

        Assert.Equal(fromDictionary.Text, fromJson.Text);
        Assert.Contains("Lee", fromJson.Text);
        Assert.Contains("run a 5k by june", fromJson.Text, StringComparison.OrdinalIgnoreCase);
    }
}
