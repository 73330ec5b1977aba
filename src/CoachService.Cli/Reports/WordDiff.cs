using DiffPlex.Chunkers;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace CoachService.Cli.Reports;

public enum WordChange
{
    Same,
    Removed,
    Added,
}

/// <summary>A word-level diff of two replies (DiffPlex), as pieces to show one after another.</summary>
public static class WordDiff
{
    public static IReadOnlyList<(WordChange Change, string Text)> Of(string before, string after)
    {
        // Split at spaces, keeping them as pieces: a word keeps its punctuation, and the text reads as written.
        var model = InlineDiffBuilder.Diff(before, after, ignoreWhiteSpace: false, ignoreCase: false, chunker: new DelimiterChunker([' ', '\n']));
        return [.. model.Lines.Select(piece => (piece.Type switch
        {
            ChangeType.Deleted => WordChange.Removed,
            ChangeType.Inserted => WordChange.Added,
            _ => WordChange.Same,
        }, piece.Text))];
    }
}
