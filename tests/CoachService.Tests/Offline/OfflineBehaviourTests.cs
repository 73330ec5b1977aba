using CoachService.Llm.Tasks;
using CoachService.Profiles;
using static CoachService.Tests.Offline.OfflineTestKit;

namespace CoachService.Tests.Offline;

/// <summary>What a user would notice about the offline engine's answers.</summary>
public sealed class OfflineBehaviourTests
{
    [Fact]
    public async Task Two_different_messages_get_different_replies_that_each_echo_their_own_words()
    {
        var aboutPresentation = await ReplyAsync("I'm nervous about my presentation tomorrow");
        var aboutSister = await ReplyAsync("I had a lovely dinner with my sister last night");

        Assert.NotEqual(aboutPresentation, aboutSister);
        Assert.Contains("your presentation tomorrow", aboutPresentation, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("dinner with your sister", aboutSister, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("presentation", aboutSister, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Each_persona_answers_the_same_message_in_its_own_voice_with_one_question()
    {
        const string Message = "I feel stuck at work and I don't know what to do next";
        var replies = new Dictionary<string, string>();
        foreach (var persona in CoachPersona.All)
        {
            replies[persona] = await ReplyAsync(Message, persona);
        }

        Assert.Equal(4, replies.Values.Distinct().Count());
        Assert.All(replies.Values, reply =>
        {
            Assert.EndsWith("?", reply);
            Assert.Equal(1, reply.Count(c => c == '?'));
            Assert.Contains("stuck at work", reply, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("*", reply);
            Assert.DoesNotContain("#", reply);
        });
        Assert.Contains("breath", replies[CoachPersona.GentleGuide], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Reply_nods_to_the_active_goal_the_message_is_about()
    {
        var reply = await ReplyAsync("My running has been slow this week", CoachPersona.ConfidentCoach, goals: ["Run a 5k by June", "Call mum weekly"]);

        Assert.Contains("run a 5k by june", reply, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("call mum", reply, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Disc_style_changes_the_follow_up_question()
    {
        var forD = await ReplyAsync("I need to sort out my week", CoachPersona.ConfidentCoach, disc: "D");
        var forS = await ReplyAsync("I need to sort out my week", CoachPersona.ConfidentCoach, disc: "S");

        Assert.NotEqual(forD, forS);
        Assert.Contains("24 hours", forD);
    }

    [Fact]
    public async Task A_crisis_message_gets_the_safety_reply_instead_of_coaching()
    {
        var reply = await ReplyAsync("I want to end my life", CoachPersona.ConfidentCoach);

        Assert.Contains("988", reply);
        Assert.Contains("safe", reply, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_worried_message_reads_as_anxious_and_more_intense_than_a_mild_one()
    {
        var worried = await SnapshotAsync("I'm so worried, I keep worrying about everything, I'm anxious and nervous and I can't stop panicking!!");
        var mild = await SnapshotAsync("I'm a bit worried about the meeting.");

        var strong = worried.Emotions[0];
        Assert.Equal("anxious", strong.Emotion);
        Assert.Equal("anxious", mild.Emotions[0].Emotion);
        Assert.True(strong.Intensity > mild.Emotions[0].Intensity, $"{strong.Intensity} vs {mild.Emotions[0].Intensity}");
        Assert.True(strong.Confidence > mild.Emotions[0].Confidence);
        Assert.InRange(strong.Intensity, 4, 5);
    }

    [Fact]
    public async Task Not_happy_is_read_as_sad_not_happy()
    {
        var result = await SnapshotAsync("I'm not happy with how things are going");

        Assert.Equal("sad", result.Emotions[0].Emotion);
        Assert.DoesNotContain(result.Emotions, reading => reading.Emotion == "happy");
    }

    [Fact]
    public async Task A_message_without_feelings_is_neutral_with_low_confidence()
    {
        var result = await SnapshotAsync("The meeting is at 10 in room 4.");

        var reading = Assert.Single(result.Emotions);
        Assert.Equal("neutral", reading.Emotion);
        Assert.True(reading.Confidence < 0.5);
    }

    [Fact]
    public async Task A_transcript_full_of_dominance_language_scores_d_with_more_confidence_than_a_short_one()
    {
        var dominant = await ScoreAsync(
            "I like to lead. I decide fast and I take charge. Results matter more than anything, I want to win. " +
            "When there's a challenge I push hard and get it done. I'm direct, I'm competitive and I hate wasting time. " +
            "In every team I end up in charge because I make the decision and move. I set bold goals and I achieve them. " +
            "Bottom line, I want control over the outcome and I act now, not later. I take risks when the result is worth it. " +
            "I'm driven and ambitious, and I push people to be efficient. I lead from the front.");
        var brief = await ScoreAsync("I lead.");

        Assert.Equal("D", dominant.DiscType);
        Assert.True(dominant.DiscScores.D > dominant.DiscScores.I && dominant.DiscScores.D > dominant.DiscScores.S && dominant.DiscScores.D > dominant.DiscScores.C);
        Assert.True(dominant.Confidence >= 0.5, $"confidence {dominant.Confidence}");
        Assert.True(brief.Confidence < 0.5, $"confidence {brief.Confidence}");
        Assert.True(dominant.Confidence > brief.Confidence);
        Assert.Contains(dominant.Insights, insight => insight.Contains("\"lead\"") || insight.Contains("\"decide\""));
    }

    [Fact]
    public async Task A_caring_steady_transcript_scores_s_and_not_d()
    {
        var result = await ScoreAsync(
            "I like things calm and steady. I support my family and my friends, and we usually do things together. " +
            "I'm patient and loyal, I listen a lot and I care about harmony. Maybe I avoid conflict a bit. " +
            "I prefer a routine I'm comfortable with, and people trust me to be reliable. We help each other.");

        Assert.Equal("S", result.DiscType);
    }

    [Fact]
    public async Task An_empty_transcript_gets_even_scores_and_low_confidence()
    {
        var result = await ScoreAsync(string.Empty);

        Assert.True(result.Confidence < 0.2);
        Assert.Equal(result.DiscScores.D, result.DiscScores.C, 3);
    }

    [Fact]
    public async Task Wanting_to_run_a_5k_becomes_a_timed_health_goal_about_running()
    {
        var result = await GoalsAsync("I want to run a 5k");

        var goal = Assert.Single(result.Goals);
        Assert.Equal("health", goal.Category);
        Assert.Contains("run a 5k", goal.SmartGoal, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("runs a week", goal.SmartGoal);
        Assert.Contains(goal.Timeframe, goal.SmartGoal);
        Assert.Matches(@"\d+ (days|weeks|months)", goal.Timeframe);
    }

    [Fact]
    public async Task A_timeframe_the_user_gives_is_kept()
    {
        var result = await GoalsAsync("I'd like to learn Spanish in 3 months, and I need to call my dad more often.");

        Assert.Equal(2, result.Goals.Count);
        Assert.Equal("personal_growth", result.Goals[0].Category);
        Assert.Equal("3 months", result.Goals[0].Timeframe);
        Assert.Contains("learn spanish", result.Goals[0].SmartGoal, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("relationships", result.Goals[1].Category);
        Assert.Contains("your dad", result.Goals[1].SmartGoal);
    }

    [Fact]
    public async Task A_goal_already_active_is_not_suggested_again()
    {
        var result = await GoalsAsync("I want to run a 5k and I want to meditate daily", activeGoals: ["Run a 5k by June"]);

        var goal = Assert.Single(result.Goals);
        Assert.Equal("mindfulness", goal.Category);
    }

    [Fact]
    public async Task Without_a_stated_wish_the_goal_comes_from_the_session_theme()
    {
        var result = await GoalsAsync("Work is crazy, so much pressure and deadlines, I'm stressed all the time.");

        var goal = Assert.Single(result.Goals);
        Assert.Equal("emotional_wellness", goal.Category);
        Assert.Contains("stress", goal.SmartGoal);
    }

    [Fact]
    public async Task Session_summary_picks_a_virtue_and_insights_from_what_was_talked_about()
    {
        var stressed = await SummaryAsync("User: Work is so stressful, the deadlines and the pressure never stop.\nCoach: That's a lot.\nUser: But I kept going.");
        var thankful = await SummaryAsync("I'm so grateful for my friends, thank you for listening, I really appreciate it.");

        Assert.Equal("resilience", stressed.Virtue.Name);
        Assert.Equal("stress_management", stressed.KeyInsights[0].Category);
        Assert.Contains("deadlines", stressed.KeyInsights[0].Insight);
        Assert.DoesNotContain(stressed.KeyInsights, insight => insight.Insight.Contains("a lot"));
        Assert.Equal("gratitude", thankful.Virtue.Name);
    }

    [Theory]
    [InlineData("I want to kill myself", "suicidal_ideation")]
    [InlineData("I'm thinking about ending my life tonight", "suicidal_ideation")]
    [InlineData("I keep wanting to hurt myself", "self_harm")]
    [InlineData("I don't want to live anymore", "suicidal_ideation")]
    [InlineData("I'm going to hurt my boss", "harm_to_others")]
    [InlineData("He threatened to kill me and I'm not safe at home right now", "abuse")]
    [InlineData("I have crushing chest pain", "medical_emergency")]
    public async Task Crisis_phrases_are_flagged(string message, string category)
    {
        var result = await ScreenAsync(message);

        Assert.True(result.IsCrisis);
        Assert.Equal("crisis", result.RiskLevel);
        Assert.Contains(category, result.Categories);
    }

    [Theory]
    [InlineData("I could kill for a coffee right now")]
    [InlineData("This commute is killing me")]
    [InlineData("I'm dying to see the new movie")]
    [InlineData("I would never hurt myself")]
    [InlineData("I don't want to kill myself, I'm just tired of this job")]
    [InlineData("I hurt myself at the gym yesterday")]
    [InlineData("The presentation went great, I killed it")]
    public async Task Idioms_and_negations_are_not_crises(string message)
    {
        var result = await ScreenAsync(message);

        Assert.False(result.IsCrisis);
        Assert.Contains(result.RiskLevel, new[] { "none", "low" });
    }

    [Fact]
    public async Task Past_thoughts_are_taken_seriously_without_calling_a_crisis()
    {
        var result = await ScreenAsync("I used to want to kill myself when I was younger");

        Assert.False(result.IsCrisis);
        Assert.Equal("elevated", result.RiskLevel);
    }

    [Fact]
    public async Task Safety_rationale_never_quotes_the_message()
    {
        var result = await ScreenAsync("Honestly I want to kill myself after the zebra incident");

        Assert.DoesNotContain("zebra", result.Rationale, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("kill myself", result.Rationale, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Assessment_questions_advance_and_reflect_the_last_answer()
    {
        var first = await QuestionAsync(1, string.Empty);
        var third = await QuestionAsync(3, "I usually make a list and work through it carefully");

        Assert.Contains("Maya", first);
        Assert.EndsWith("?", first);
        Assert.NotEqual(first, third);
        Assert.Contains("you usually make a list", third);
        Assert.EndsWith("?", third);
    }

    private static Task<EmotionalSnapshotResult> SnapshotAsync(string message)
        => ResultAsync<EmotionalSnapshotResult>(CoachTask.EmotionalSnapshot, new Dictionary<string, object?> { ["message"] = message });

    private static Task<PersonalityAssessmentResult> ScoreAsync(string transcript)
        => ResultAsync<PersonalityAssessmentResult>(CoachTask.AssessmentScoring, new Dictionary<string, object?> { ["transcript"] = transcript });

    private static Task<GoalSuggestionsResult> GoalsAsync(string transcript, IEnumerable<string>? activeGoals = null)
        => ResultAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, new Dictionary<string, object?> { ["transcript"] = transcript, ["active_goals"] = activeGoals?.ToList() ?? [] });

    private static Task<SessionSummaryResult> SummaryAsync(string transcript)
        => ResultAsync<SessionSummaryResult>(CoachTask.SessionSummary, new Dictionary<string, object?> { ["persona"] = CoachPersona.WiseMentor, ["transcript"] = transcript });

    private static Task<SafetyScreenResult> ScreenAsync(string message)
        => ResultAsync<SafetyScreenResult>(CoachTask.SafetyScreen, new Dictionary<string, object?> { ["message"] = message });

    private static Task<string> QuestionAsync(int number, string answer)
        => TextAsync(CoachTask.AssessmentQuestion, new Dictionary<string, object?> { ["user_name"] = "Maya", ["question_number"] = number, ["message"] = answer });
}
