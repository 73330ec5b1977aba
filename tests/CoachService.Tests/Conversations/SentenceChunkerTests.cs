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
    public void The_first_sentence_is_released_as_soon_as_the_next_one_begins()
    {
        var chunker = new SentenceChunker();
        var early = chunker.Push("Good morning.");
        Assert.Equal([new TextPiece("Good ", false)], early); // "morning." could still be "morning.com"
        Assert.Empty(chunker.Push(" ")); // could be 'morning. and then'
        var next = chunker.Push("How");
        Assert.Equal(new TextPiece("morning.", true), next[0]);
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
        Assert.Equal("Take a breath ", Assert.Single(first).Text); // the last word may still grow
        var rest = chunker.Flush();
        Assert.Equal(new TextPiece("and", true), Assert.Single(rest));
        Assert.Empty(new SentenceChunker().Flush());
    }
}
