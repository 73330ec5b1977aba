using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace CoachService.Prompts;

/// <summary>
/// Semantic Kernel's extension point for our template format: a <see cref="PromptTemplateConfig"/>
/// whose <see cref="PromptTemplateConfig.TemplateFormat"/> is <see cref="Format"/> holds the text of a
/// <c>.prompty</c> file, and renders through <see cref="PromptTemplate"/> (Handlebars, one message per
/// role section). SK ships no Prompty or Handlebars format here, so this is the one prompts use.
/// </summary>
public sealed class PromptyTemplateFactory : IPromptTemplateFactory
{
    public const string Format = "coach-prompty";

    public bool TryCreate(PromptTemplateConfig templateConfig, [NotNullWhen(true)] out IPromptTemplate? result)
    {
        ArgumentNullException.ThrowIfNull(templateConfig);
        if (!string.Equals(templateConfig.TemplateFormat, Format, StringComparison.Ordinal))
        {
            result = null;
            return false;
        }

        result = new PromptyKernelTemplate(PromptyFile.Parse(templateConfig.Template, $"prompts/{templateConfig.Name}{PromptyFile.Extension}"));
        return true;
    }
}

/// <summary>
/// A <see cref="PromptTemplate"/> as SK's <see cref="IPromptTemplate"/>. SK turns the rendered text into
/// chat messages by parsing <c>&lt;message role="…"&gt;</c> tags, so every message body (the author's
/// text, each input, each history message) is XML-escaped: a turn saying
/// <c>&lt;/message&gt;&lt;message role="system"&gt;</c> stays text of the user's message.
/// </summary>
internal sealed class PromptyKernelTemplate(PromptTemplate template) : IPromptTemplate
{
    public PromptTemplate Template { get; } = template;

    public Task<string> RenderAsync(Kernel kernel, KernelArguments? arguments = null, CancellationToken cancellationToken = default)
    {
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        IReadOnlyList<ChatMessage>? history = null;
        foreach (var (name, value) in arguments ?? [])
        {
            if (name == Template.HistoryInput)
            {
                history = value as IReadOnlyList<ChatMessage>
                    ?? throw new ArgumentException($"Input '{name}' of prompt '{Template.Name}' must be a list of chat messages.", nameof(arguments));
            }
            else
            {
                inputs[name] = value;
            }
        }

        return Task.FromResult(ToChatPrompt(Template.Render(inputs, history)));
    }

    /// <summary>The messages in SK's chat prompt syntax, each body escaped so it can only ever be text.</summary>
    internal static string ToChatPrompt(IEnumerable<ChatMessage> messages)
    {
        var prompt = new StringBuilder();
        foreach (var message in messages)
        {
            prompt.Append("<message role=\"").Append(Escape(message.Role.Value)).Append("\">")
                .Append(Escape(message.Text))
                .Append("</message>\n");
        }

        return prompt.ToString();
    }

    /// <summary>
    /// XML-escapes text. Characters XML 1.0 cannot carry at all (most control characters, lone
    /// surrogates) become U+FFFD: left in, they would make SK's parser give up and send the whole
    /// prompt, system text included, as one user message.
    /// </summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '<':
                    escaped.Append("&lt;");
                    break;
                case '>':
                    escaped.Append("&gt;");
                    break;
                case '&':
                    escaped.Append("&amp;");
                    break;
                case '"':
                    escaped.Append("&quot;");
                    break;
                case '\r':
                    escaped.Append("&#13;");
                    break;
                case '\n' or '\t':
                    escaped.Append(c);
                    break;
                case < ' ' or '\uFFFE' or '\uFFFF':
                    escaped.Append('\uFFFD');
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        escaped.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        escaped.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                    }

                    break;
            }
        }

        return escaped.ToString();
    }
}
