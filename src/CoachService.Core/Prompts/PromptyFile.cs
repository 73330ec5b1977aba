using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachService.Json;
using HandlebarsDotNet;
using Microsoft.Extensions.AI;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CoachService.Prompts;

/// <summary>
/// Parses and validates one <c>.prompty</c> file: YAML front matter between <c>---</c> lines, then a
/// Handlebars body split into <c>system:</c>, <c>user:</c> and <c>assistant:</c> sections. Every
/// problem is reported as a <see cref="PromptFileException"/> naming the file, line and reason.
/// The format is described in docs/decisions/prompt-file-format.md.
/// </summary>
public static partial class PromptyFile
{
    public const string Extension = ".prompty";

    private static readonly HashSet<string> TopLevelKeys = ["name", "description", "authors", "tags", "model", "inputs"];
    private static readonly HashSet<string> ModelKeys = ["api", "parameters"];
    private static readonly HashSet<string> InputKeys = ["type", "description", "source", "sample", "enum"];

    /// <summary>Reads and parses a file. <paramref name="displayPath"/> is how the file is named in errors.</summary>
    public static PromptTemplate Load(string path, string displayPath) => Parse(File.ReadAllBytes(path), displayPath);

    public static PromptTemplate Parse(byte[] bytes, string displayPath)
    {
        var name = Path.GetFileNameWithoutExtension(displayPath);
        var version = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
        var text = new UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF').Replace("\r\n", "\n");
        return new Parser(displayPath, name, version, text).Parse();
    }

    /// <summary>
    /// Parses the text of a file that was already read (a kernel function's template). The version is
    /// the hash of the text's UTF-8 bytes, which equals the file's when the file has no BOM and LF endings.
    /// </summary>
    public static PromptTemplate Parse(string text, string displayPath) => Parse(new UTF8Encoding(false).GetBytes(text), displayPath);

    internal static string TypeName(PromptInputType type) => type switch
    {
        PromptInputType.ChatHistory => "chat_history",
        _ => type.ToString().ToLowerInvariant(),
    };

    [GeneratedRegex(@"^\s*(system|user|assistant)\s*:\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex RoleLine();

    [GeneratedRegex(@"^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$")]
    private static partial Regex PlaceholderLine();

    // Comments first (they may contain braces), then any mustache, triple or double.
    [GeneratedRegex(@"\{\{!--.*?--~?\}\}|\{\{~?!.*?\}\}|\{\{\{?(?<body>.*?)\}?\}\}", RegexOptions.Singleline)]
    private static partial Regex Mustache();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    private sealed class Parser(string file, string name, string version, string text)
    {
        private readonly Dictionary<string, PromptInput> _inputs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _uses = new(StringComparer.Ordinal);
        private int _frontMatterFirstLine;

        private PromptFileException Error(int line, string reason) => new(file, line, reason);

        public PromptTemplate Parse()
        {
            var lines = text.Split('\n');
            if (lines.Length == 0 || lines[0].TrimEnd() != "---")
            {
                throw Error(1, "the file must start with YAML front matter between '---' lines");
            }

            var end = Array.FindIndex(lines, 1, l => l.TrimEnd() == "---");
            if (end < 0)
            {
                throw Error(1, "the front matter is not closed by a '---' line");
            }

            _frontMatterFirstLine = 2;
            var root = ParseYaml(string.Join('\n', lines[1..end]));
            CheckKeys(root, TopLevelKeys, "front matter");

            var declaredName = RequiredString(root, "name");
            if (declaredName != name)
            {
                throw Error(LineOf(Get(root, "name")!), $"name '{declaredName}' must equal the file name '{name}'");
            }

            var description = RequiredString(root, "description");
            var (parameters, schema) = ParseModel(Get(root, "model"));
            ParseInputs(root);

            var sections = ParseBody(lines, end + 1);
            foreach (var input in _inputs.Values.Where(i => !_uses.ContainsKey(i.Name)))
            {
                throw Error(input.Line, $"input '{input.Name}' is declared but never used in the template");
            }

            var template = new PromptTemplate(name, description, version, file, text, parameters, _inputs, schema, sections);
            RenderSamples(template);
            return template;
        }

        private YamlMappingNode ParseYaml(string yaml)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException e)
            {
                var reason = (e.InnerException?.Message ?? e.Message).Trim();
                throw Error((int)e.Start.Line + _frontMatterFirstLine - 1, $"invalid YAML: {reason}");
            }
            catch (InvalidOperationException)
            {
                // YamlDotNet's scanner throws this (without a position) on some malformed flow collections.
                throw Error(_frontMatterFirstLine, "invalid YAML: a flow collection ([...] or {...}) is not closed or is malformed");
            }

            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw Error(_frontMatterFirstLine, "the front matter must be one YAML mapping");
            }

            return root;
        }

        private int LineOf(YamlNode node) => YamlValues.LineOf(node) + _frontMatterFirstLine - 1;

        private static YamlNode? Get(YamlMappingNode mapping, string key) =>
            mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        private void CheckKeys(YamlMappingNode mapping, HashSet<string> allowed, string where)
        {
            foreach (var key in mapping.Children.Keys)
            {
                var keyName = (key as YamlScalarNode)?.Value;
                if (keyName is null || !allowed.Contains(keyName))
                {
                    throw Error(LineOf(key), $"unknown key '{keyName}' in {where} (allowed: {string.Join(", ", allowed)})");
                }
            }
        }

        private string RequiredString(YamlMappingNode mapping, string key, int? lineIfMissing = null)
        {
            var node = Get(mapping, key);
            if (node is null)
            {
                throw Error(lineIfMissing ?? LineOf(mapping), $"'{key}' is required");
            }

            if (node is not YamlScalarNode { Value: { Length: > 0 } value })
            {
                throw Error(LineOf(node), $"'{key}' must be a non-empty string");
            }

            return value;
        }

        private (PromptModelParameters, JsonElement?) ParseModel(YamlNode? node)
        {
            if (node is null)
            {
                return (new PromptModelParameters(), null);
            }

            if (node is not YamlMappingNode model)
            {
                throw Error(LineOf(node), "'model' must be a mapping");
            }

            CheckKeys(model, ModelKeys, "model");
            if (Get(model, "api") is { } api && (api as YamlScalarNode)?.Value != "chat")
            {
                throw Error(LineOf(api), "model.api must be 'chat'");
            }

            if (Get(model, "parameters") is not { } parametersNode)
            {
                return (new PromptModelParameters(), null);
            }

            if (parametersNode is not YamlMappingNode parameters)
            {
                throw Error(LineOf(parametersNode), "model.parameters must be a mapping");
            }

            var result = new PromptModelParameters();
            JsonElement? schema = null;
            foreach (var (keyNode, valueNode) in parameters.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value;
                var value = YamlValues.ToValue(valueNode);
                var line = LineOf(valueNode);
                result = key switch
                {
                    "temperature" => result with { Temperature = Number(value, key, line, 0, 2) },
                    "top_p" => result with { TopP = Number(value, key, line, 0, 1) },
                    "frequency_penalty" => result with { FrequencyPenalty = Number(value, key, line, -2, 2) },
                    "presence_penalty" => result with { PresencePenalty = Number(value, key, line, -2, 2) },
                    "max_tokens" => result with { MaxTokens = value is long l and > 0 and <= 100_000 ? (int)l : throw Error(line, "max_tokens must be an integer between 1 and 100000") },
                    "seed" => result with { Seed = value as long? ?? throw Error(line, "seed must be an integer") },
                    "stop" => result with { Stop = value is List<object?> stop && stop.All(s => s is string) ? stop.Cast<string>().ToList() : throw Error(line, "stop must be a list of strings") },
                    "response_format" => result,
                    _ => throw Error(LineOf(keyNode), $"unknown model parameter '{key}' (allowed: temperature, max_tokens, top_p, frequency_penalty, presence_penalty, seed, stop, response_format)"),
                };
                if (key == "response_format")
                {
                    schema = ParseResponseFormat(valueNode);
                }
            }

            return (result, schema);
        }

        private float Number(object? value, string key, int line, double min, double max)
        {
            var number = value switch
            {
                long l => l,
                double d => d,
                _ => throw Error(line, $"{key} must be a number"),
            };
            return number >= min && number <= max ? (float)number : throw Error(line, $"{key} must be between {min} and {max}");
        }

        private JsonElement? ParseResponseFormat(YamlNode node)
        {
            if (node is not YamlMappingNode format)
            {
                throw Error(LineOf(node), "response_format must be a mapping");
            }

            CheckKeys(format, ["type", "json_schema"], "response_format");
            var type = RequiredString(format, "type");
            if (type == "text")
            {
                return null;
            }

            if (type != "json_schema")
            {
                throw Error(LineOf(Get(format, "type")!), "response_format.type must be 'json_schema' or 'text'");
            }

            if (Get(format, "json_schema") is not YamlMappingNode jsonSchema)
            {
                throw Error(LineOf(format), "response_format.json_schema must be a mapping with name, strict and schema");
            }

            CheckKeys(jsonSchema, ["name", "description", "strict", "schema"], "response_format.json_schema");
            var schemaName = RequiredString(jsonSchema, "name");
            if (schemaName != name)
            {
                throw Error(LineOf(Get(jsonSchema, "name")!), $"response_format.json_schema.name '{schemaName}' must equal the prompt name '{name}'");
            }

            if (Get(jsonSchema, "strict") is { } strict && YamlValues.ToValue(strict) is not true)
            {
                throw Error(LineOf(strict), "response_format.json_schema.strict must be true: every output is validated strictly");
            }

            if (Get(jsonSchema, "schema") is not { } schemaNode)
            {
                throw Error(LineOf(jsonSchema), "response_format.json_schema.schema is required");
            }

            var lines = new Dictionary<string, int>(StringComparer.Ordinal);
            var json = YamlValues.ToJson(schemaNode, "$", lines);
            var element = JsonSerializer.SerializeToElement(json);
            var problem = JsonSchemaSubset.Check(element, strict: true).FirstOrDefault();
            if (problem is not null)
            {
                throw Error(SchemaLine(problem.Path, lines, LineOf(schemaNode)), $"invalid output schema at {problem.Path}: {problem.Reason}");
            }

            if (element.TryGetProperty("type", out var rootType) && rootType.ValueKind == JsonValueKind.String && rootType.GetString() == "object")
            {
                return element;
            }

            throw Error(LineOf(schemaNode), "the output schema must describe an object (type: object)");
        }

        private int SchemaLine(string path, Dictionary<string, int> lines, int fallback)
        {
            // The nearest enclosing node that the YAML gave a line to.
            for (var p = path; p.Length > 0; p = p[..Math.Max(p.LastIndexOfAny(['.', '[']), 0)])
            {
                if (lines.TryGetValue(p, out var line))
                {
                    return line + _frontMatterFirstLine - 1;
                }
            }

            return fallback;
        }

        private void ParseInputs(YamlMappingNode root)
        {
            var node = Get(root, "inputs");
            if (node is null)
            {
                return;
            }

            if (node is not YamlMappingNode inputs)
            {
                throw Error(LineOf(node), "'inputs' must be a mapping of input names to declarations");
            }

            foreach (var (keyNode, valueNode) in inputs.Children)
            {
                var inputName = ((YamlScalarNode)keyNode).Value ?? string.Empty;
                var line = LineOf(keyNode);
                if (!Identifier().IsMatch(inputName))
                {
                    throw Error(line, $"input name '{inputName}' must be an identifier (letters, digits, '_')");
                }

                if (valueNode is not YamlMappingNode declaration)
                {
                    throw Error(line, $"input '{inputName}' must be a mapping with type, description and sample");
                }

                CheckKeys(declaration, InputKeys, $"input '{inputName}'");
                var typeName = RequiredString(declaration, "type", line);
                var type = typeName switch
                {
                    "string" => PromptInputType.String,
                    "integer" => PromptInputType.Integer,
                    "number" => PromptInputType.Number,
                    "boolean" => PromptInputType.Boolean,
                    "array" => PromptInputType.Array,
                    "chat_history" => PromptInputType.ChatHistory,
                    _ => throw Error(LineOf(Get(declaration, "type")!), $"input '{inputName}' has unknown type '{typeName}' (use string, integer, number, boolean, array or chat_history)"),
                };
                var description = RequiredString(declaration, "description", line);
                var sourceName = Get(declaration, "source") is { } s ? (s as YamlScalarNode)?.Value : "system";
                var source = sourceName switch
                {
                    "system" => PromptInputSource.System,
                    "user" => PromptInputSource.User,
                    _ => throw Error(LineOf(Get(declaration, "source")!), $"input '{inputName}' has unknown source '{sourceName}' (use user or system)"),
                };
                if (type == PromptInputType.ChatHistory && _inputs.Values.Any(i => i.Type == PromptInputType.ChatHistory))
                {
                    throw Error(line, "a prompt takes at most one chat_history input");
                }

                IReadOnlyList<string>? allowed = null;
                if (Get(declaration, "enum") is { } enumNode)
                {
                    allowed = YamlValues.ToValue(enumNode) is List<object?> values && values.Count > 0 && values.All(v => v is string) && type == PromptInputType.String
                        ? values.Cast<string>().ToList()
                        : throw Error(LineOf(enumNode), $"enum of input '{inputName}' must be a non-empty list of strings on a string input");
                }

                if (Get(declaration, "sample") is not { } sampleNode)
                {
                    throw Error(line, $"input '{inputName}' needs a sample value");
                }

                var sample = type == PromptInputType.ChatHistory ? ParseHistorySample(sampleNode, inputName) : YamlValues.ToValue(sampleNode);
                if (type != PromptInputType.ChatHistory && (!PromptTemplate.HasType(sample, type) || (sample is string text && allowed is not null && !allowed.Contains(text))))
                {
                    throw Error(LineOf(sampleNode), $"the sample of input '{inputName}' is not a valid {typeName}");
                }

                _inputs[inputName] = new PromptInput(inputName, type, source, description, allowed, sample, line);
            }
        }

        private List<ChatMessage> ParseHistorySample(YamlNode node, string inputName)
        {
            if (YamlValues.ToValue(node) is not List<object?> items)
            {
                throw Error(LineOf(node), $"the sample of input '{inputName}' must be a list of {{role, content}} messages");
            }

            return items.Select(item => item is Dictionary<string, object?> { Count: 2 } m
                    && m.GetValueOrDefault("role") is "user" or "assistant" && m.GetValueOrDefault("content") is string content
                    ? new ChatMessage(new ChatRole((string)m["role"]!), content)
                    : throw Error(LineOf(node), $"each sample message of input '{inputName}' needs role (user or assistant) and content"))
                .ToList();
        }

        private List<PromptSection> ParseBody(string[] lines, int firstBodyIndex)
        {
            var handlebars = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true });
            var sections = new List<PromptSection>();
            ChatRole? role = null;
            var sectionLine = 0;
            var buffer = new List<string>();

            void Flush(int nextLine)
            {
                if (role is null)
                {
                    return;
                }

                var body = string.Join('\n', buffer);
                if (string.IsNullOrWhiteSpace(body))
                {
                    throw Error(sectionLine, $"the {role.Value.Value} section is empty");
                }

                var contentLine = sectionLine + 1;
                CheckTemplate(body, contentLine, role.Value);
                HandlebarsTemplate<object, object> compiled;
                try
                {
                    compiled = handlebars.Compile(body);
                }
                catch (HandlebarsException e)
                {
                    throw Error(contentLine, $"the {role.Value.Value} section does not compile: {e.Message}");
                }

                sections.Add(new PromptSection(role.Value, compiled, sectionLine));
                role = null;
                buffer.Clear();
            }

            for (var i = firstBodyIndex; i < lines.Length; i++)
            {
                var lineNumber = i + 1;
                var line = lines[i];
                if (RoleLine().Match(line) is { Success: true } roleMatch)
                {
                    Flush(lineNumber);
                    role = new ChatRole(roleMatch.Groups[1].Value.ToLowerInvariant());
                    sectionLine = lineNumber;
                    continue;
                }

                if (PlaceholderLine().Match(line) is { Success: true } placeholder
                    && _inputs.TryGetValue(placeholder.Groups[1].Value, out var input) && input.Type == PromptInputType.ChatHistory)
                {
                    if (_uses.ContainsKey(input.Name))
                    {
                        throw Error(lineNumber, $"the chat history '{input.Name}' is placed twice");
                    }

                    Flush(lineNumber);
                    _uses[input.Name] = lineNumber;
                    sections.Add(new PromptSection(ChatRole.User, null, lineNumber));
                    continue;
                }

                if (role is null)
                {
                    if (!string.IsNullOrWhiteSpace(line))
                    {
                        throw Error(lineNumber, "text outside a role section: start it with a 'system:', 'user:' or 'assistant:' line");
                    }

                    continue;
                }

                buffer.Add(line);
            }

            Flush(lines.Length);
            if (sections.Count == 0)
            {
                throw Error(firstBodyIndex + 1, "the body has no role sections");
            }

            if (sections[^1].IsHistory || sections[^1].Role == ChatRole.System)
            {
                throw Error(sections[^1].Line, "the prompt must end with a user (or assistant) section after the system section and history");
            }

            return sections;
        }

        /// <summary>
        /// Walks the mustaches of one section: only if/unless/each blocks and plain paths are allowed;
        /// every variable must be declared, and user inputs may not appear in a system section.
        /// </summary>
        private void CheckTemplate(string body, int firstLine, ChatRole role)
        {
            var blocks = new Stack<(string Helper, int Line)>();
            foreach (Match match in Mustache().Matches(body))
            {
                if (!match.Groups["body"].Success)
                {
                    continue; // a comment
                }

                var line = firstLine + body.AsSpan(0, match.Index).Count('\n');
                var token = match.Groups["body"].Value.Trim().Trim('~').Trim();
                if (token.StartsWith('#'))
                {
                    var parts = token[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length != 2 || parts[0] is not ("if" or "unless" or "each"))
                    {
                        throw Error(line, $"unsupported block '{{{{{token}}}}}': use {{{{#if x}}}}, {{{{#unless x}}}} or {{{{#each x}}}}");
                    }

                    var variable = Use(parts[1], blocks.Count(b => b.Helper == "each"), line, role);
                    if (parts[0] == "each" && variable is not null && _inputs[variable].Type != PromptInputType.Array)
                    {
                        throw Error(line, $"{{{{#each {variable}}}}} needs an array input, but '{variable}' is a {TypeName(_inputs[variable].Type)}");
                    }

                    blocks.Push((parts[0], line));
                }
                else if (token.StartsWith('/'))
                {
                    var helper = token[1..].Trim();
                    if (blocks.Count == 0 || blocks.Peek().Helper != helper)
                    {
                        throw Error(line, blocks.Count == 0
                            ? $"'{{{{/{helper}}}}}' closes a block that was never opened"
                            : $"'{{{{/{helper}}}}}' does not match '{{{{#{blocks.Peek().Helper}}}}}' opened on line {blocks.Peek().Line}");
                    }

                    blocks.Pop();
                }
                else if (token == "else")
                {
                    if (blocks.Count == 0)
                    {
                        throw Error(line, "'{{else}}' outside a block");
                    }
                }
                else if (token.Length == 0 || token[0] is '>' or '^' or '&' or '*' || token.Contains(' '))
                {
                    throw Error(line, $"unsupported expression '{{{{{token}}}}}': only variables and if/unless/each blocks are allowed");
                }
                else
                {
                    Use(token, blocks.Count(b => b.Helper == "each"), line, role);
                }
            }

            if (blocks.Count > 0)
            {
                throw Error(blocks.Peek().Line, $"'{{{{#{blocks.Peek().Helper}}}}}' is never closed");
            }
        }

        /// <summary>Records the use of a path; returns the root input it names, or null for item paths.</summary>
        private string? Use(string path, int eachDepth, int line, ChatRole role)
        {
            if (path.StartsWith('@'))
            {
                return eachDepth > 0 && path is "@index" or "@first" or "@last"
                    ? null
                    : throw Error(line, $"'{path}' can only be used inside {{{{#each}}}} (supported: @index, @first, @last)");
            }

            if (path is "this" or "." || path.StartsWith("this.", StringComparison.Ordinal))
            {
                return eachDepth > 0 ? null : throw Error(line, $"'{path}' can only be used inside {{{{#each}}}}");
            }

            var up = 0;
            while (path.StartsWith("../", StringComparison.Ordinal))
            {
                up++;
                path = path[3..];
            }

            if (up > eachDepth)
            {
                throw Error(line, $"'{string.Concat(Enumerable.Repeat("../", up))}{path}' goes above the prompt inputs");
            }

            if (eachDepth - up > 0)
            {
                throw Error(line, $"'{path}' inside {{{{#each}}}} refers to the item; use 'this' for the item or '../{path}' for an input");
            }

            var variable = path.Split('.')[0];
            if (!Identifier().IsMatch(variable))
            {
                throw Error(line, $"'{path}' is not a valid variable name");
            }

            if (!_inputs.TryGetValue(variable, out var input))
            {
                throw Error(line, $"variable '{variable}' is used but not declared in inputs");
            }

            if (input.Type == PromptInputType.ChatHistory)
            {
                throw Error(line, $"the chat history '{variable}' can only be placed on a line of its own between sections");
            }

            if (role == ChatRole.System && input.Source == PromptInputSource.User)
            {
                throw Error(line, $"input '{variable}' carries user text (source: user) and cannot be used in a system section; use it in a user section");
            }

            _uses.TryAdd(variable, line);
            return variable;
        }

        private void RenderSamples(PromptTemplate template)
        {
            var samples = template.Inputs.Values
                .Where(i => i.Type != PromptInputType.ChatHistory)
                .ToDictionary(i => i.Name, i => i.Sample);
            var history = template.Inputs.Values.FirstOrDefault(i => i.Type == PromptInputType.ChatHistory)?.Sample as List<ChatMessage>;
            try
            {
                var messages = template.Render(samples, history);
                if (messages.All(m => m.Role != ChatRole.User))
                {
                    throw Error(template.Sections[^1].Line, "the sample inputs render no user message");
                }
            }
            catch (Exception e) when (e is not PromptFileException)
            {
                throw Error(template.Sections[0].Line, $"the sample inputs do not render: {e.Message}");
            }
        }
    }
}
