using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CoachService.Cli.Replay;

namespace CoachService.Cli.Reports;

/// <summary>
/// The self-contained HTML report: one file, inline CSS and a few lines of inline script, nothing fetched.
/// Totals and regressions at the top; per conversation and turn the old and new outputs side by side,
/// a word-level diff of the replies, the field-level changes, the check verdicts, tokens, cost and latency.
/// </summary>
public static class HtmlReport
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(ReplayReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        var h = new StringBuilder();
        h.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Prompt replay</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:24px;background:#f6f7f9;color:#1d2330}
            h1{margin:0 0 4px;font-size:22px} h2{font-size:17px;margin:28px 0 8px} h3{font-size:15px;margin:0}
            .meta{color:#586174;margin-bottom:16px}
            .totals{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
            .total{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:8px 12px;min-width:92px}
            .total b{display:block;font-size:18px}
            .bad b{color:#b42318} .good b{color:#067647}
            .conv{background:#fff;border:1px solid #dde1e8;border-radius:10px;margin:14px 0;padding:12px 16px}
            .conv.regression{border-color:#f04438;box-shadow:0 0 0 2px #fee4e2}
            .conv.error{border-color:#f79009}
            .turn{border-top:1px solid #eef0f4;padding:10px 0}
            .user{font-style:italic;color:#344054;margin:4px 0 8px}
            .sides{display:grid;grid-template-columns:1fr 1fr;gap:12px}
            .side{background:#fafbfc;border:1px solid #eef0f4;border-radius:6px;padding:8px}
            .side h4{margin:0 0 4px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#667085}
            .diff{background:#fff;border:1px dashed #d0d5dd;border-radius:6px;padding:8px;margin-top:8px}
            del{background:#fee4e2;color:#912018;text-decoration:line-through} ins{background:#dcfae6;color:#085d3a;text-decoration:none}
            .changes li{color:#6941c6}
            .checks{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}
            .chip{border-radius:12px;padding:2px 9px;font-size:12px;border:1px solid}
            .passed{background:#ecfdf3;border-color:#abefc6;color:#067647}
            .failed{background:#fef3f2;border-color:#fecdca;color:#b42318}
            .skipped{background:#f2f4f7;border-color:#d0d5dd;color:#475467}
            .regr{font-weight:700}
            .figures{color:#667085;font-size:12px;margin-top:6px}
            pre{white-space:pre-wrap;font-size:12px;margin:4px 0;max-height:220px;overflow:auto}
            details summary{cursor:pointer;color:#475467;font-size:12px}
            .toolbar{margin:8px 0} .toolbar label{cursor:pointer}
            .hidden{display:none}
            </style></head><body>
            """);
        h.Append(inv, $"<h1>Prompt replay</h1><div class=\"meta\">Prompts <code>{E(report.Prompts)}</code> against {E(report.Baseline)} · provider {E(report.Provider)}");
        if (report.Repeat > 1)
        {
            h.Append(inv, $" · {report.Repeat} samples per turn");
        }

        h.Append("</div>");
        if (report.Interrupted)
        {
            h.Append(inv, $"<p class=\"failed chip\">Interrupted: {report.Conversations.Count(c => c.Error is null)} of {report.ConversationsPlanned} conversation(s) finished.</p>");
        }

        h.Append("<div class=\"totals\">");
        Total(h, "conversations", report.Conversations.Count.ToString(inv));
        Total(h, "turns", report.AllTurns.Count().ToString(inv));
        Total(h, "changed turns", report.Changed.ToString(inv));
        Total(h, "failed checks", report.Failures.ToString(inv), report.Failures > 0 ? "bad" : "good");
        Total(h, "regressions", report.Regressions.ToString(inv), report.Regressions > 0 ? "bad" : "good");
        Total(h, "cache hits / misses", $"{report.CacheHits} / {report.CacheMisses}");
        Total(h, "tokens in / out", $"{report.InputTokens} / {report.OutputTokens}");
        Total(h, "est. cost", report.Cost.ToString("$0.0000", inv));
        Total(h, "latency", (report.LatencyMs / 1000).ToString("0.0 s", inv));
        h.Append("</div>");

        var regressions = report.RegressionsFirst.SelectMany(c => c.Turns.SelectMany(t => t.Checks.Where(k => k.IsRegression).Select(k => (c, t, k)))).ToList();
        if (regressions.Count > 0)
        {
            h.Append("<h2>Regressions</h2><ul>");
            foreach (var (c, t, k) in regressions)
            {
                h.Append(inv, $"<li><a href=\"#{Anchor(c.Id, t.Turn)}\">{E(c.Id)} turn {t.Turn}</a>: <b>{E(k.Check)}</b> {E(k.Current.Reason)}</li>");
            }

            h.Append("</ul>");
        }

        h.Append("<div class=\"toolbar\"><label><input type=\"checkbox\" id=\"only-changed\"> show only turns that changed or failed</label></div>");
        foreach (var conversation in report.RegressionsFirst)
        {
            WriteConversation(h, conversation);
        }

        h.Append("""
            <script>
            (function () {
              var box = document.getElementById('only-changed');
              box.addEventListener('change', function () {
                document.querySelectorAll('.turn').forEach(function (turn) {
                  turn.classList.toggle('hidden', box.checked && turn.dataset.interesting !== 'yes');
                });
              });
            })();
            </script>
            </body></html>
            """);
        return h.ToString();
    }

    private static void WriteConversation(StringBuilder h, ConversationResult c)
    {
        var inv = CultureInfo.InvariantCulture;
        var css = c.HasRegression ? " regression" : c.Error is not null ? " error" : "";
        h.Append(inv, $"<section class=\"conv{css}\" id=\"{E(c.Id)}\"><h3>{E(c.Id)}</h3>");
        if (c.Title is not null)
        {
            h.Append(inv, $"<div class=\"meta\">{E(c.Title)} · <code>{E(Path.GetFileName(c.File))}</code></div>");
        }

        if (c.Error is not null)
        {
            h.Append(inv, $"<p class=\"chip failed\">{E(c.Error)}</p>");
        }

        foreach (var t in c.Turns)
        {
            var interesting = t.Changes.Count > 0 || t.HasFailure ? "yes" : "no";
            h.Append(inv, $"<div class=\"turn\" id=\"{Anchor(c.Id, t.Turn)}\" data-interesting=\"{interesting}\"><b>Turn {t.Turn}</b><div class=\"user\">“{E(t.User)}”</div>");
            h.Append("<div class=\"sides\">");
            Side(h, "baseline", t.Baseline);
            Side(h, "now", t.Current);
            h.Append("</div>");
            if (t.Baseline.Reply != t.Current.Reply)
            {
                h.Append("<div class=\"diff\">");
                foreach (var (change, text) in WordDiff.Of(t.Baseline.Reply, t.Current.Reply))
                {
                    h.Append(change switch
                    {
                        // A removed word runs into the word added in its place without a space between them.
                        WordChange.Removed => $"<del>{E(text)}</del>" + (string.IsNullOrWhiteSpace(text) ? "" : " "),
                        WordChange.Added => $"<ins>{E(text)}</ins>",
                        _ => E(text),
                    });
                }

                h.Append("</div>");
            }

            if (t.Changes.Count > 0)
            {
                h.Append("<ul class=\"changes\">");
                foreach (var change in t.Changes)
                {
                    h.Append(inv, $"<li>{E(change)}</li>");
                }

                h.Append("</ul>");
            }

            h.Append("<div class=\"checks\">");
            foreach (var check in t.Checks)
            {
                var verdict = check.Current.Verdict.ToString().ToLowerInvariant();
                h.Append(inv, $"<span class=\"chip {verdict}{(check.IsRegression ? " regr" : "")}\" title=\"{E(check.Current.Reason)}\">{E(check.Check)}: {verdict}{(check.IsRegression ? " (regression)" : "")}</span>");
            }

            h.Append("</div>");
            h.Append(inv, $"<div class=\"figures\">tokens {t.Current.InputTokens} in / {t.Current.OutputTokens} out · est. {t.Cost.ToString("$0.0000", inv)} · {t.Current.Calls.Sum(x => x.LatencyMs).ToString("0", inv)} ms over {t.Current.Calls.Count} call(s)");
            if (t.Stability is { } s)
            {
                h.Append(inv, $" · stability over {s.Samples} samples: {s.DistinctReplies} repl{(s.DistinctReplies == 1 ? "y" : "ies")}, {s.DistinctTopEmotions} top emotion(s), {s.DistinctSafetyVerdicts} safety verdict(s)");
            }

            h.Append("</div></div>");
        }

        h.Append("</section>");
    }

    private static void Side(StringBuilder h, string label, TurnOutputs o)
    {
        h.Append(CultureInfo.InvariantCulture, $"<div class=\"side\"><h4>{label} · {E(o.Kind)}</h4><div>{E(o.Reply)}</div>");
        var structured = new Dictionary<string, object?>();
        Add(structured, "snapshot", o.Snapshot);
        Add(structured, "safety", o.Safety);
        Add(structured, "assessment", o.Assessment);
        Add(structured, "summary", o.Summary);
        Add(structured, "goals", o.Goals);
        if (o.ToolCalls.Count > 0)
        {
            structured["tool_calls"] = o.ToolCalls;
        }

        if (structured.Count > 0)
        {
            h.Append(CultureInfo.InvariantCulture, $"<details><summary>structured outputs</summary><pre>{E(JsonSerializer.Serialize(structured, Pretty))}</pre></details>");
        }

        h.Append("</div>");
    }

    private static void Add(Dictionary<string, object?> into, string name, JsonElement? value)
    {
        if (value is { } v)
        {
            into[name] = v;
        }
    }

    private static void Total(StringBuilder h, string label, string value, string css = "") =>
        h.Append(CultureInfo.InvariantCulture, $"<div class=\"total {css}\"><b>{E(value)}</b>{E(label)}</div>");

    private static string Anchor(string id, int turn) => E($"{id}-turn-{turn}");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
