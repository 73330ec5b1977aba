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
        var model = InlineDiffBuilder.Diff(before, after, ignoreWhiteSpace: false, ignoreCase: false, chunker: new WordChunker());
        return [.. model.Lines.Select(piece => (piece.Type switch
        {
            ChangeType.Deleted => WordChange.Removed,
            ChangeType.Inserted => WordChange.Added,
            _ => WordChange.Same,
        }, piece.Text))];
    }
}
