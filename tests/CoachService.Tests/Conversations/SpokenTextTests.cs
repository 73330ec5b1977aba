using CoachService.Conversations.Preemptive;

namespace CoachService.Tests.Conversations;

public sealed class SpokenTextTests
{
    [Theory]
    [InlineData("work has been a lot this week", "Work has been a lot, this week!")]
    [InlineData("I don't know", "I dont know.")]
    [InlineData("  so   tired ", "So tired…")]
    [InlineData("well-being matters", "well being matters")]
    [InlineData("Ça va", "ça va ?")]
    public void Transcripts_with_the_same_words_have_the_same_key(string partial, string final)
    {
        Assert.Equal(SpokenText.Key(partial), SpokenText.Key(final));
    }

    [Theory]
    [InlineData("I had a good", "I had a good idea")]
    [InlineData("I can", "I can't")]
    [InlineData("three", "3")]
    public void Transcripts_with_other_words_have_other_keys(string partial, string final)
    {
        Assert.NotEqual(SpokenText.Key(partial), SpokenText.Key(final));
    }

    [Fact]
    public void Punctuation_alone_says_nothing()
    {
        Assert.Equal("", SpokenText.Key(" ... ?! "));
        Assert.Equal("", SpokenText.Key(null));
    }
}
