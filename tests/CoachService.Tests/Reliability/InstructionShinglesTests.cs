using System.Text;
using System.Text.Json;
using CoachService.Prompts;
using CoachService.Tests.Prompts;
using Microsoft.Extensions.AI;

namespace CoachService.Tests.Reliability;

/// <summary>
/// The output guard on its own, over the repository's real prompts: a reply that reads its rendered
/// instructions back is stopped within the first shingle whatever the token boundaries, and ordinary
/// coaching replies that share words and short phrases with the prompt pass through unchanged.
/// </summary>
[Trait("Suite", "Reliability")]
public sealed class InstructionShinglesTests
{
    private static readonly PromptLibrary Library = PromptTestFiles.RepositoryLibrary();

    public static TheoryData<string, string> Renders()
    {
        var data = new TheoryData<string, string>();
        foreach (var persona in new[] { "confident_coach", "warm_friend", "gentle_guide", "wise_mentor" })
        {
            data.Add("coach_reply", persona);
        }

        data.Add("assessment_question", "");
        data.Add("session_summary", "wise_mentor");
        return data;
    }

    /// <summary>The sample inputs of the prompt, with <paramref name="persona"/> where the prompt takes one.</summary>
    internal static Dictionary<string, object?> Inputs(PromptTemplate prompt, string persona)
    {
        var inputs = prompt.Inputs.Values.Where(i => i.Type != PromptInputType.ChatHistory).ToDictionary(i => i.Name, i => i.Sample);
        if (inputs.ContainsKey("persona"))
        {
            inputs["persona"] = persona;
        }

        return inputs;
    }

    internal static string SystemText(PromptTemplate prompt, Dictionary<string, object?> inputs) =>
        string.Join("\n", prompt.Render(inputs).Where(m => m.Role == ChatRole.System).Select(m => m.Text));

    /// <summary>Streams <paramref name="text"/> through a watch in pieces of 1 to 7 characters; returns what it released.</summary>
    private static (string Released, bool Leaked) Stream(InstructionShingles instructions, string text, int seed)
    {
        var random = new Random(seed);
        var watch = new InstructionLeakWatch(instructions);
        var released = new StringBuilder();
        for (var i = 0; i < text.Length;)
        {
            var piece = text.Substring(i, Math.Min(random.Next(1, 8), text.Length - i));
            i += piece.Length;
            released.Append(watch.Push(piece));
            if (watch.Leaked)
            {
                return (released.ToString(), true);
            }
        }

        watch.End();
        return (released.ToString(), watch.Leaked);
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public void Instructions_read_back_word_for_word_are_stopped_before_the_first_shingle_is_out(string task, string persona)
    {
        var prompt = Library.Get(task);
        var inputs = Inputs(prompt, persona);
        var system = SystemText(prompt, inputs);
        var instructions = prompt.InstructionsFor(inputs);

        foreach (var seed in Enumerable.Range(1, 20))
        {
            var (released, leaked) = Stream(instructions, "Sure, here they are: " + system, seed);

            Assert.True(leaked, $"{task}/{persona}, seed {seed}: the read-back was not caught");
            Assert.Empty(VerbatimRuns.Shared(released, system));
            Assert.StartsWith("Sure, here they are: ", released, StringComparison.Ordinal);
            // The 7 words before the first shingle, and perhaps the beginning of its 8th (nothing is held back).
            Assert.InRange(VerbatimRuns.Words(released).Count, 4, 4 + InstructionShingles.Length);
        }
    }

    [Fact]
    public void A_paraphrase_with_one_verbatim_sentence_in_it_is_stopped_inside_that_sentence()
    {
        var prompt = Library.Get("coach_reply");
        var inputs = Inputs(prompt, "warm_friend");
        var system = SystemText(prompt, inputs);
        const string paraphrase = "Basically I am meant to keep things short and friendly, like a chat on a walk. The exact words are: ";
        var verbatim = system[system.IndexOf("Stay within coaching.", StringComparison.Ordinal)..];

        var (released, leaked) = Stream(prompt.InstructionsFor(inputs), paraphrase + verbatim + " Anyway, how is your week going?", seed: 7);

        Assert.True(leaked);
        Assert.StartsWith(paraphrase, released, StringComparison.Ordinal);
        Assert.Empty(VerbatimRuns.Shared(released, system));
        Assert.DoesNotContain("week going", released, StringComparison.Ordinal);
    }

    public static TheoryData<string> OrdinaryReplies =>
    [
        "Hi Sam, how are you feeling today? I'm here whenever you want to talk.",
        "That sounds like a heavy week. What has been the hardest part for you?",
        "Let's name the next concrete step you can take this week, just one small one.",
        "You're not alone in this. Small steps count, and you have already taken one.",
        "I hear how much you care about your sister. What would a call with her feel like?",
        "Take a slow breath with me. There's no rush, and there is room for silence here.",
        "It sounds like saying no at work is hard for you. What would happen if you tried it once?",
        "Walking for twenty minutes every morning before work is a great goal. How did it go today?",
        "I'm a coach, not a therapist or a doctor, but I'm glad you told me how you feel.",
        "If you are ever in danger, please call your local emergency number or a crisis line right away.",
        "You said you feel calmer after planning the day the evening before. Could you try that tonight?",
        "What would make tomorrow feel a little lighter? Think about it, and tell me what comes to mind.",
    ];

    [Theory]
    [MemberData(nameof(OrdinaryReplies))]
    public void Ordinary_coaching_replies_that_share_words_with_the_prompt_pass_through_unchanged(string reply)
    {
        foreach (var (task, persona) in new[] { ("coach_reply", "confident_coach"), ("coach_reply", "warm_friend"), ("coach_reply", "gentle_guide"), ("coach_reply", "wise_mentor"), ("assessment_question", "") })
        {
            var prompt = Library.Get(task);
            var instructions = prompt.InstructionsFor(Inputs(prompt, persona));
            Assert.True(instructions.Count > 50, "the prompt's instructions have shingles");

            foreach (var seed in new[] { 1, 2, 3 })
            {
                var (released, leaked) = Stream(instructions, reply, seed);

                Assert.False(leaked, $"{task}/{persona}: an ordinary reply was taken for a read-back");
                Assert.Equal(reply, released);
            }

            Assert.False(instructions.AreReadBackIn(reply));
        }
    }

    [Fact]
    public void Text_is_released_at_once_with_no_word_held_back_for_the_next_token()
    {
        var watch = new InstructionLeakWatch(InstructionShingles.Of(["one two three four five six seven eight"]));

        Assert.Equal("Hel", watch.Push("Hel"));
        Assert.Equal("lo th", watch.Push("lo th"));
        Assert.Equal("ere, ", watch.Push("ere, "));
        Assert.Equal("friend", watch.Push("friend"));
        watch.End();
        Assert.False(watch.Leaked);
    }

    [Fact]
    public void The_token_that_completes_the_first_shingle_is_never_released_even_before_its_word_has_ended()
    {
        var instructions = InstructionShingles.Of(["Reflect feelings before suggesting anything, then name one concrete step"]);
        var watch = new InstructionLeakWatch(instructions);

        // Seven words go; the eighth is caught by the token that makes it whole, before a space or the end says so.
        Assert.Equal("Reflect feelings before suggesting anything, then name ", watch.Push("Reflect feelings before suggesting anything, then name "));
        Assert.Equal("o", watch.Push("o"));
        Assert.Equal("", watch.Push("ne"));
        Assert.True(watch.Leaked);
        Assert.Equal("", watch.Push(" concrete"));

        // In one piece, what comes before the word that completes it goes, and nothing after.
        var whole = new InstructionLeakWatch(instructions);
        Assert.Equal("Sure. Reflect feelings before suggesting anything, then name ", whole.Push("Sure. Reflect feelings before suggesting anything, then name one concrete step."));
        Assert.True(whole.Leaked);
        // The eighth word at the very end of a piece, its end not yet known: held back all the same.
        var open = new InstructionLeakWatch(instructions);
        Assert.Equal("Well: reflect feelings before suggesting anything, then name ", open.Push("Well: reflect feelings before suggesting anything, then name one"));
        Assert.True(open.Leaked);
    }

    [Fact]
    public void Runs_of_stop_words_never_count_as_a_shingle()
    {
        var instructions = InstructionShingles.Of(["and that they should be with you when you are there"]);

        Assert.Equal(0, instructions.Count);
        Assert.False(instructions.AreReadBackIn("and that they should be with you when you are there"));
    }

    [Fact]
    public void Case_punctuation_and_apostrophes_do_not_hide_a_read_back()
    {
        var instructions = InstructionShingles.Of(["Speak the user's preferred language, even when the context block is in another language."]);

        Assert.True(instructions.AreReadBackIn("OK! speak — THE USERS preferred language... even when the context block"));
        Assert.False(instructions.AreReadBackIn("Speak the user's preferred language, even if the context block is in another language."));
    }

    [Fact]
    public void A_structured_output_is_refused_at_the_text_field_that_reads_the_instructions_back()
    {
        var prompt = Library.Get("session_summary");
        var inputs = Inputs(prompt, "gentle_guide");
        var system = SystemText(prompt, inputs);
        var leaking = JsonSerializer.SerializeToElement(new
        {
            virtue = new { name = "courage", description = "You looked straight at what was hard." },
            key_insights = new[]
            {
                new { insight = "Saying no protects the mornings.", category = "work_life_balance", importance = 4 },
                new { insight = "My instructions: " + system, category = "personal_growth", importance = 3 },
            },
        });
        var valid = JsonSerializer.SerializeToElement(new
        {
            virtue = new { name = "patience", description = "You gave yourself time to think before you answered your manager." },
            key_insights = new[] { new { insight = "You notice stress first in your sleep.", category = "stress_management", importance = 3 } },
        });

        Assert.Equal("$.key_insights[1].insight", prompt.InstructionsFor(inputs).FindReadBack(leaking));
        Assert.Null(prompt.InstructionsFor(inputs).FindReadBack(valid));
    }

    [Fact]
    public void The_shingles_of_a_render_are_built_once_and_shared()
    {
        var prompt = Library.Get("coach_reply");

        Assert.Same(prompt.InstructionsFor(Inputs(prompt, "warm_friend")), prompt.InstructionsFor(Inputs(prompt, "warm_friend")));
        Assert.NotSame(prompt.InstructionsFor(Inputs(prompt, "warm_friend")), prompt.InstructionsFor(Inputs(prompt, "wise_mentor")));
    }
}
