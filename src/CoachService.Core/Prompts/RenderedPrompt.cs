using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace CoachService.Prompts;

/// <summary>
/// What a prompt's rendered messages become on their way to the model, and the text their provenance hash is of.
/// <list type="bullet">
/// <item><see cref="ForModel"/>: a message's text as the model gets it. Characters XML 1.0 cannot carry (most
/// control characters, lone surrogates) become U+FFFD and the text is trimmed, as when the messages went through
/// Semantic Kernel's <c>&lt;message&gt;</c> text and its XML parser (until 2026-12; a test holds the two equal).</item>
/// <item><see cref="Text"/>: the messages in that chat prompt syntax, each body XML-escaped. The stored
/// <c>prompt_hash</c> is the SHA-256 of it, so hashes stored before and after the change stay comparable;
/// <see cref="Hash"/> computes it without building the text.</item>
/// </list>
/// </summary>
public static class RenderedPrompt
{
    // What the escaping changes, and what the model's text loses: the same characters but for markup.
    private static readonly SearchValues<char> Escaped = SearchValues.Create(Characters(markup: true));
    private static readonly SearchValues<char> Uncarried = SearchValues.Create(Characters(markup: false));

    /// <summary>The messages as the model gets them (see <see cref="ForModel"/>).</summary>
    public static List<ChatMessage> ForModel(IReadOnlyList<ChatMessage> messages)
    {
        var sent = new List<ChatMessage>(messages.Count);
        foreach (var message in messages)
        {
            var text = ForModel(message.Text);
            sent.Add(new ChatMessage(message.Role, text.Length == 0 ? null : text));
        }

        return sent;
    }

    /// <summary>A message's text as the model gets it: what XML 1.0 cannot carry as U+FFFD, trimmed.</summary>
    public static string ForModel(string text)
    {
        if (text.AsSpan().IndexOfAny(Uncarried) < 0)
        {
            return text.Trim();
        }

        var carried = new StringBuilder(text.Length);
        Write(text, new BuilderSink(carried), markup: false);
        return carried.ToString().Trim();
    }

    /// <summary>The messages in SK's chat prompt syntax, each body escaped so it can only ever be text.</summary>
    public static string Text(IEnumerable<ChatMessage> messages)
    {
        var text = new StringBuilder();
        WriteChatPrompt(messages, new BuilderSink(text));
        return text.ToString();
    }

    /// <summary>SHA-256 (lower-case hex) of <see cref="Text"/> and its length in characters, without building it.</summary>
    public static (string Hash, int Length) Hash(IEnumerable<ChatMessage> messages)
    {
        using var hasher = new Utf8Hasher();
        WriteChatPrompt(messages, hasher);
        return hasher.Finish();
    }

    private static void WriteChatPrompt<TSink>(IEnumerable<ChatMessage> messages, TSink to)
        where TSink : ITextSink
    {
        foreach (var message in messages)
        {
            to.Append("<message role=\"");
            Write(message.Role.Value, to, markup: true);
            to.Append("\">");
            Write(message.Text, to, markup: true);
            to.Append("</message>\n");
        }
    }

    private static void Write<TSink>(string text, TSink to, bool markup)
        where TSink : ITextSink
    {
        var rest = text.AsSpan();
        var search = markup ? Escaped : Uncarried;
        while (true)
        {
            var next = rest.IndexOfAny(search);
            if (next < 0)
            {
                to.Append(rest);
                return;
            }

            to.Append(rest[..next]);
            var taken = Replacement(rest[next..], markup, out var replacement);
            to.Append(replacement);
            rest = rest[(next + taken)..];
        }
    }

    /// <summary>What the character at the start of <paramref name="text"/> becomes; returns how many characters it took.</summary>
    private static int Replacement(ReadOnlySpan<char> text, bool markup, out ReadOnlySpan<char> replacement)
    {
        var c = text[0];
        if (char.IsHighSurrogate(c) && text.Length > 1 && char.IsLowSurrogate(text[1]))
        {
            replacement = text[..2];
            return 2;
        }

        replacement = c switch
        {
            '<' when markup => "&lt;",
            '>' when markup => "&gt;",
            '&' when markup => "&amp;",
            '"' when markup => "&quot;",
            '\r' when markup => "&#13;",
            _ => "\uFFFD",
        };
        return 1;
    }

    private static string Characters(bool markup)
    {
        var characters = new StringBuilder();
        for (var c = '\0'; c < ' '; c++)
        {
            if (c is not ('\t' or '\n' or '\r'))
            {
                characters.Append(c);
            }
        }

        for (var c = '\uD800'; c <= '\uDFFF'; c++)
        {
            characters.Append(c); // a pair passes; a lone half does not
        }

        characters.Append('\uFFFE').Append('\uFFFF');
        if (markup)
        {
            characters.Append("<>&\"\r");
        }

        return characters.ToString();
    }

    private interface ITextSink
    {
        void Append(ReadOnlySpan<char> text);
    }

    private readonly struct BuilderSink(StringBuilder builder) : ITextSink
    {
        public void Append(ReadOnlySpan<char> text) => builder.Append(text);
    }

    /// <summary>SHA-256 over the UTF-8 of text appended in pieces, through one small pooled buffer.</summary>
    private sealed class Utf8Hasher : ITextSink, IDisposable
    {
        private const int Chunk = 1024;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly Encoder _encoder = Encoding.UTF8.GetEncoder();
        private readonly byte[] _bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(Chunk));
        private int _length;

        public void Append(ReadOnlySpan<char> text)
        {
            _length += text.Length;
            while (!text.IsEmpty)
            {
                var piece = text[..Math.Min(text.Length, Chunk)];
                _encoder.Convert(piece, _bytes, flush: false, out var used, out var written, out _);
                _hash.AppendData(_bytes, 0, written);
                text = text[used..];
            }
        }

        public (string Hash, int Length) Finish()
        {
            _encoder.Convert([], _bytes, flush: true, out _, out var written, out _);
            _hash.AppendData(_bytes, 0, written);
            return (Convert.ToHexStringLower(_hash.GetHashAndReset()), _length);
        }

        public void Dispose()
        {
            _hash.Dispose();
            ArrayPool<byte>.Shared.Return(_bytes);
        }
    }
}
