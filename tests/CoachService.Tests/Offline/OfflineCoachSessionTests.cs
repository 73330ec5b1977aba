using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachService.Llm.Tasks;
using Microsoft.Extensions.AI;
using static CoachService.Tests.Offline.OfflineTestKit;

namespace CoachService.Tests.Offline;

/// <summary>
/// The offline coach as a newcomer meets it: four sessions of ten or more realistic turns, one per
/// language (Offline/Corpus/coach_sessions.json), played with the history growing turn by turn.
/// </summary>
public sealed partial class OfflineCoachSessionTests
{
    private static readonly Lazy<IReadOnlyList<PlayedSession>> Played = new(() => [.. Sessions().Select(Play)]);

    public static TheoryData<string> Languages() => [.. DomainValues.Languages];

    [Fact]
    public void The_corpus_has_at_least_forty_turns_in_the_four_languages()
    {
        Assert.True(Played.Value.Sum(session => session.Turns.Count) >= 40);
        Assert.Equal(DomainValues.Languages.Order(), Played.Value.Select(session => session.Session.Language).Order());
        Assert.All(Played.Value, session => Assert.True(session.Turns.Count >= 10));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Words_are_echoed_whole_and_as_written(string language)
    {
        foreach (var (turn, reply) in Session(language).Turns.Where(played => played.Turn.Keep is not null))
        {
            // Accents, "Dr.", "5.5", "19:30" and the end of a long clause all survive the echo.
            Assert.True(reply.Contains(turn.Keep!, StringComparison.Ordinal), $"\"{turn.Keep}\" is not in: {reply}");
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void No_stock_sentence_is_said_twice_in_a_session(string language)
    {
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var played = Session(language).Turns;
        for (var i = 0; i < played.Count; i++)
        {
            foreach (var sentence in Sentences(played[i].Reply))
            {
                Assert.False(seen.TryGetValue(sentence, out var first), $"turn {i + 1} repeats turn {first + 1}: \"{sentence}\"");
                seen[sentence] = i;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Replies_are_in_the_users_preferred_language(string language)
    {
        foreach (var (_, reply) in Session(language).Turns)
        {
            // The user's quoted words do not count: the coach's own words must be in the language.
            var coachWords = Quoted().Replace(reply, " ");
            var scores = FunctionWords.ToDictionary(entry => entry.Key, entry => Words(coachWords).Count(entry.Value.Contains));
            var winner = scores.MaxBy(score => score.Value).Key;
            Assert.True(winner == language, $"reads as {winner} ({string.Join(", ", scores)}): {reply}");
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Questions_are_answered_or_acknowledged_not_echoed(string language)
    {
        var played = Session(language).Turns;
        for (var i = 0; i < played.Count; i++)
        {
            var (turn, reply) = played[i];
            if (!turn.Question)
            {
                continue;
            }

            Assert.Equal(1, reply.Count(c => c == '?'));
            Assert.EndsWith("?", reply);
            var asked = Folded(turn.Message.TrimEnd('?', ' ').TrimStart('\u00BF'));
            Assert.DoesNotContain(asked, Folded(reply), StringComparison.Ordinal);
            Assert.DoesNotContain(SecondPerson(asked), Folded(reply), StringComparison.Ordinal);
            if (turn.Repeat)
            {
                // "Can you say that again?" gets the coach's previous question, again.
                var previous = Sentences(played[i - 1].Reply).Last();
                Assert.Contains(Folded(previous)[1..], Folded(reply), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Replies_bring_back_earlier_turns(string language)
    {
        var session = Session(language);
        var recalls = 0;
        for (var i = 1; i < session.Turns.Count; i++)
        {
            var current = Trigrams(session.Turns[i].Turn.Message);
            var goals = session.Session.Goals.SelectMany(Trigrams).ToHashSet();
            var reply = Trigrams(session.Turns[i].Reply);
            var earlier = session.Turns.Take(i).SelectMany(played => Trigrams(played.Turn.Message));
            if (earlier.Any(trigram => reply.Contains(trigram) && !current.Contains(trigram) && !goals.Contains(trigram)))
            {
                recalls++;
            }
        }

        Assert.True(recalls >= 3, $"{recalls} replies refer to an earlier turn");
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task Disc_shapes_the_structure_and_the_enneagram_type_a_line(string language)
    {
        var message = Session(language).Session.Turns[0].Message;
        var d = await TextAsync(CoachTask.CoachReply, CoachReplyInputs(message, disc: "D", language: language, enneagram: 3));
        var s = await TextAsync(CoachTask.CoachReply, CoachReplyInputs(message, disc: "S", language: language, enneagram: 3));
        var c = await TextAsync(CoachTask.CoachReply, CoachReplyInputs(message, disc: "C", language: language, enneagram: 3));
        var sixth = await TextAsync(CoachTask.CoachReply, CoachReplyInputs(message, disc: "S", language: language, enneagram: 6));

        // D wants brevity, S steadiness, C reasons; the type's core motivation changes what is said.
        Assert.True(Sentences(d).Count() < Sentences(s).Count(), $"D: {d}\nS: {s}");
        Assert.Matches(@"\b(because|porque|parce qu)", Folded(c));
        Assert.NotEqual(s, sixth);
        Assert.Equal(Sentences(s).Count(), Sentences(sixth).Count());
    }

    [Fact]
    public async Task Goal_titles_are_goals_with_a_timeframe()
    {
        var fromTheme = await ResultAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, new Dictionary<string, object?>
        {
            ["transcript"] = "User: I keep answering emails at 10pm, work never switches off and I have no evenings left.",
            ["active_goals"] = new List<string>(),
        });
        var fromWish = await ResultAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, new Dictionary<string, object?>
        {
            ["transcript"] = "I want to run a 5k, and I'd like to call my dad more often.",
            ["active_goals"] = new List<string>(),
        });

        Assert.Equal("Stop work by 18:00 on weekdays for the next 4 weeks", Assert.Single(fromTheme.Goals).Description);
        Assert.Equal(["Run a 5k within 8 weeks", "Call your dad more often for the next 4 weeks"], fromWish.Goals.Select(goal => goal.Description));
        foreach (var session in Played.Value)
        {
            var transcript = string.Join('\n', session.Turns.Select(played => "User: " + played.Turn.Message));
            var goals = await ResultAsync<GoalSuggestionsResult>(CoachTask.GoalSuggestions, new Dictionary<string, object?> { ["transcript"] = transcript, ["active_goals"] = new List<string>() });
            Assert.All(goals.Goals, goal =>
            {
                Assert.DoesNotMatch(@"^(A suggestion|You said|This )", goal.Description);
                Assert.Matches(@"\b(for the next|within|in|by) [^:]+$", goal.Description);
            });
        }
    }

    private static PlayedSession Session(string language) => Played.Value.Single(session => session.Session.Language == language);

    private static PlayedSession Play(CorpusSession session)
    {
        var client = Client();
        var history = new List<ChatMessage>();
        var turns = new List<PlayedTurn>();
        foreach (var turn in session.Turns)
        {
            var inputs = CoachReplyInputs(turn.Message, session.Persona, session.Disc, session.Goals, session.Language, session.Enneagram, session.Name);
            List<ChatMessage> messages = [new(ChatRole.System, "You are a coach."), .. history, new(ChatRole.User, "Coach context:\nMessage:\n" + turn.Message)];
            var reply = client.GetResponseAsync(messages, Options(CoachTask.CoachReply, inputs)).WaitAsync(AwaitLimit).GetAwaiter().GetResult().Text;
            turns.Add(new PlayedTurn(turn, reply));
            history.Add(new ChatMessage(ChatRole.User, turn.Message));
            history.Add(new ChatMessage(ChatRole.Assistant, reply));
        }

        return new PlayedSession(session, turns);
    }

    private static IEnumerable<CorpusSession> Sessions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Offline", "Corpus", "coach_sessions.json")));
        return document.RootElement.GetProperty("sessions").Deserialize<List<CorpusSession>>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    private static IEnumerable<string> Sentences(string reply) => SentenceEnd().Split(reply.Trim()).Where(sentence => sentence.Length > 0);

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text.ToLowerInvariant()).Select(match => match.Value);

    private static string Folded(string text) => string.Join(' ', Words(Unaccented(text)));

    private static string Unaccented(string text) => string.Concat(text.Normalize(NormalizationForm.FormD)
        .Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)).Normalize(NormalizationForm.FormC);

    private static string SecondPerson(string folded) => string.Join(' ', folded.Split(' ').Select(word => word switch
    {
        "i" or "me" => "you",
        "my" => "your",
        "i'm" => "you're",
        _ => word,
    }));

    // Pronouns are folded to one token, so "my sister" in a message matches "your sister" in a reply.
    private static HashSet<string> Trigrams(string text)
    {
        var words = Words(Unaccented(text)).Select(word => word is "i" or "me" or "my" or "you" or "your" or "i'm" or "you're" ? "*" : word).ToList();
        return [.. Enumerable.Range(0, Math.Max(0, words.Count - 2)).Select(i => string.Join(' ', words.Skip(i).Take(3)))];
    }

    // Words that mark one language and not the other three.
    private static readonly Dictionary<string, HashSet<string>> FunctionWords = new()
    {
        ["en"] = ["the", "you", "your", "and", "to", "is", "it", "that", "what", "this", "with", "for", "of", "i", "me", "are", "can", "be", "here", "again", "about"],
        ["pt"] = ["você", "não", "isso", "uma", "com", "sua", "seu", "do", "da", "em", "um", "ou", "eu", "o", "os", "nesta", "nessa", "para", "no", "na", "muito", "também", "aqui", "é"],
        ["es"] = ["el", "lo", "es", "y", "una", "con", "por", "qué", "muy", "esto", "los", "las", "del", "mi", "tú", "eres", "hoy", "aquí", "te lo"],
        ["fr"] = ["le", "les", "et", "est", "une", "pour", "ce", "ça", "qui", "à", "pas", "je", "t'ai", "du", "des", "dans", "toi", "tes", "ton"],
    };

    [GeneratedRegex(@"(?<=[.!?\u2026])\s+")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"[\p{L}\p{Nd}]+(?:['’][\p{L}]+)*")]
    private static partial Regex WordPattern();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Quoted();

    private sealed record CorpusSession(string Language, string Persona, string Disc, int Enneagram, string Name, List<string> Goals, List<CorpusTurn> Turns);

    private sealed record CorpusTurn(string Message, string? Keep, bool Question, bool Repeat);

    private sealed record PlayedTurn(CorpusTurn Turn, string Reply);

    private sealed record PlayedSession(CorpusSession Session, IReadOnlyList<PlayedTurn> Turns);
}
