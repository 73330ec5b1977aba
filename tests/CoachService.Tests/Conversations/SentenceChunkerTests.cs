using CoachService.Conversations;

namespace CoachService.Tests.Conversations;

public sealed class SentenceChunkerTests
{
    private static List<TextPiece> Feed(params string[] updates)
    {
        var chunker = new SentenceChunker();
        var pieces = updates.SelectMany(chunker.Push).ToList();
        pieces.AddRange(chunker.Flush());
        return pieces;
    }

    private static List<string> Sentences(List<TextPiece> pieces)
    {
        var sentences = new List<string>();
        var current = "";
        foreach (var piece in pieces)
        {
            current += piece.Text;
            if (piece.EndsSentence)
            {
                sentences.Add(current);
                current = "";
            }
        }

        Assert.Equal("", current); // nothing after the last mark
        return sentences;
    }

    [Fact]
    public void Pieces_never_cross_a_sentence_end_and_each_end_is_marked()
    {
        var pieces = Feed("That sounds ", "hard. What", " would help? Let", "'s try!");
        Assert.Equal(["That sounds hard.", " What would help?", " Let's try!"], Sentences(pieces));
        Assert.Equal("That sounds hard. What would help? Let's try!", string.Concat(pieces.Select(p => p.Text)));
    }

    [Fact]
    public void Everything_before_an_undecided_mark_is_released_at_once_and_the_mark_as_soon_as_it_is_certain()
    {
        var chunker = new SentenceChunker();
        var early = chunker.Push("Good morning.");
        Assert.Equal([new TextPiece("Good morning", false)], early); // only "." waits: it could be "morning.com"
        Assert.Empty(chunker.Push(" ")); // could be 'morning. and then'
        var next = chunker.Push("How");
        Assert.Equal([new TextPiece(".", true), new TextPiece(" How", false)], next);
    }

    [Fact]
    public void A_token_is_released_when_it_arrives_not_when_the_next_one_does()
    {
        var chunker = new SentenceChunker();
        Assert.Equal([new TextPiece("That", false)], chunker.Push("That"));
        Assert.Equal([new TextPiece(" sounds", false)], chunker.Push(" sounds"));
        Assert.Equal([new TextPiece(" hard", false)], chunker.Push(" hard"));
    }

    [Fact]
    public void A_mark_followed_by_a_line_break_ends_the_sentence_at_once()
    {
        var chunker = new SentenceChunker();
        Assert.Equal([new TextPiece("Breathe in.", true), new TextPiece("\n", false)], chunker.Push("Breathe in.\n"));
        Assert.Equal(["Breathe in.", "\nthen out."], Sentences(Feed("Breathe in.\n", "then out.")));
    }

    [Fact]
    public void A_word_released_before_its_dot_is_still_known_as_an_abbreviation()
    {
        Assert.Equal(["Ask Dr. Lee.", " Yes."], Sentences(Feed("Ask", " Dr", ".", " Lee", ".", " Yes", ".")));
        Assert.Equal(["It took 5.5 hours.", " Fine."], Sentences(Feed("It took 5", ".", "5 hours", ".", " Fine.")));
    }

    [Fact]
    public void Abbreviations_numbers_and_initials_do_not_end_a_sentence()
    {
        var pieces = Feed("Dr. Lee said 3.5 hours is fine, e.g. on Sundays. J. K. agreed.");
        Assert.Equal(["Dr. Lee said 3.5 hours is fine, e.g. on Sundays.", " J. K. agreed."], Sentences(pieces));
    }

    [Fact]
    public void Closing_quotes_and_repeated_marks_stay_with_their_sentence()
    {
        var pieces = Feed("She said \"enough!\" and left. Really?! Yes…", " Then", " silence");
        Assert.Equal(["She said \"enough!\" and left.", " Really?!", " Yes…", " Then silence"], Sentences(pieces));
    }

    [Fact]
    public void Text_without_a_mark_is_streamed_word_by_word_and_closed_at_the_end()
    {
        var chunker = new SentenceChunker();
        var first = chunker.Push("Take a breath and");
        Assert.Equal("Take a breath and", Assert.Single(first).Text);
        Assert.Equal(new TextPiece(" then", false), Assert.Single(chunker.Push(" then")));
        var rest = chunker.Flush();
        Assert.Equal(new TextPiece("", true), Assert.Single(rest)); // the end of the stream closes the sentence
        Assert.Empty(new SentenceChunker().Flush());
    }
}
