using System.Net.Http.Json;
using System.Text.Json;
using CoachService.Testing;
using CoachService.Testing.Browser;
using CoachService.Tests.Conversations;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CoachService.Tests.Web;

/// <summary>
/// The page at / in a real browser (Debian's Chromium, headless) against the real host and the fake LLM
/// server: what a person using it would see, screenshots of the main states kept under screenshots/.
/// </summary>
public sealed class WebPageTests(WebPageHost host) : IClassFixture<WebPageHost>
{
    private const string Reply = "That sounds like a full week. What would help most right now? Let us find one small step together.";

    static WebPageTests() => SetDefaultExpectTimeout(20_000);

    private static string NewEmail() => $"web-{Guid.NewGuid():N}@example.com";

    private async Task<BrowserPage> OpenAsync(int width = 1280, string? initScript = null)
    {
        var page = await host.Browser.NewPageAsync(host.BaseAddress, width, initScript: initScript);
        await page.Page.GotoAsync("/");
        return page;
    }

    private static async Task SignInAsync(IPage page, string email)
    {
        await page.Locator("#dev-email").FillAsync(email);
        await page.Locator("#dev-name").FillAsync("Ana");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.Locator("#session-form")).ToBeVisibleAsync();
    }

    private static async Task StartSessionAsync(IPage page, string type = "face_to_face")
    {
        await page.GetByLabel("Session type").SelectOptionAsync(type);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start session" }).ClickAsync();
        await Expect(page.Locator("#conversation")).ToBeVisibleAsync();
    }

    private static async Task SendAsync(IPage page, string text)
    {
        await page.GetByLabel("Your message").FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
    }

    private static ILocator Replies(IPage page) => page.Locator("#transcript li.message.assistant");

    private static ILocator Finished(ILocator reply) => reply.And(reply.Page.Locator(":not(.streaming)"));

    [Fact]
    public async Task Onboarding_then_a_first_turn_stream_into_the_page()
    {
        host.CoachSays("What matters most to you at work?");
        await using var browser = await OpenAsync();
        var page = browser.Page;
        await SignInAsync(page, NewEmail());

        // A new user is offered the onboarding assessment first (two answers in this host).
        await Expect(page.Locator("#onboarding-hint")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Session type")).ToHaveValueAsync("onboarding_assessment");
        await StartSessionAsync(page, "onboarding_assessment");
        await SendAsync(page, "Hi, I am ready");
        await Expect(Finished(Replies(page).Nth(0))).ToContainTextAsync("What matters most to you at work?");
        await SendAsync(page, "Finishing what I start, and my team.");
        await Expect(page.Locator("#profile")).ToBeVisibleAsync();
        await Expect(page.Locator("#profile-text")).ToContainTextAsync("DISC D");
        await page.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await Expect(page.Locator("#summary")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New session" }).ClickAsync();
        await Expect(page.GetByLabel("Session type")).ToHaveValueAsync("face_to_face");

        // The first coaching turn: the reply is seen while it streams, then whole.
        host.CoachSays(Reply, TimeSpan.FromMilliseconds(120));
        await StartSessionAsync(page);
        await SendAsync(page, "Work has been a lot this week.");
        var reply = Replies(page).Last;
        await Expect(page.Locator("#transcript li.message.assistant.streaming")).ToContainTextAsync("That sounds");
        var whileStreaming = await reply.Locator(".text").TextContentAsync();
        Assert.NotEqual(Reply, whileStreaming);
        await browser.ScreenshotAsync("streaming-reply");
        await Expect(Finished(reply).Locator(".text")).ToHaveTextAsync(Reply);

        // The emotional snapshot of the user's message, as a colour and an intensity.
        var emotion = page.Locator("#transcript li.message.user .emotion").First;
        await Expect(emotion).ToContainTextAsync("hopeful 3/5");
        Assert.Equal("rgb(255, 204, 0)", await emotion.Locator(".swatch").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Equal(3, await emotion.Locator(".level span").EvaluateAllAsync<int>("bars => bars.filter(b => getComputedStyle(b).backgroundColor === 'rgb(255, 204, 0)').length"));
        await browser.ScreenshotAsync("conversation");
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task Stop_leaves_the_partial_reply_shown_and_stores_it_as_interrupted()
    {
        var longReply = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"Sentence number {i} is here."));
        host.CoachSays(longReply, TimeSpan.FromMilliseconds(150));
        var email = NewEmail();
        await using var browser = await OpenAsync();
        var page = browser.Page;
        await SignInAsync(page, email);
        await StartSessionAsync(page);
        await SendAsync(page, "Tell me something long.");
        await Expect(page.Locator("#transcript li.message.assistant.streaming")).ToContainTextAsync("Sentence number 2");

        await page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
        var reply = Replies(page).Last;
        await Expect(reply.Locator(".note")).ToHaveTextAsync("Stopped");
        var shown = await reply.Locator(".text").TextContentAsync();
        Assert.StartsWith("Sentence number 1 is here.", shown);
        Assert.True(shown!.Length < longReply.Length, "the reply was cut");
        await Task.Delay(500); // a piece still in flight must not bring any of the rest back
        Assert.Equal(shown, await reply.Locator(".text").TextContentAsync());
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToBeDisabledAsync();
        await browser.ScreenshotAsync("stopped-reply");

        var stored = (await host.NewestSessionMessagesAsync(email)).Last();
        Assert.Equal("assistant", stored.GetProperty("role").GetString());
        Assert.True(stored.GetProperty("interrupted").GetBoolean());
        Assert.Equal(shown.TrimEnd(), stored.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Ending_the_session_shows_the_summary_and_an_accepted_goal_joins_the_dashboard()
    {
        host.CoachSays(Reply);
        var email = NewEmail();
        using (var api = await host.ApiAsAsync(email))
        {
            foreach (var (mood, intensity) in new[] { ("tired", 3), ("calm", 6), ("hopeful", 8) })
            {
                (await api.PostAsJsonAsync("/api/mood-checkins", new { mood, intensity })).EnsureSuccessStatusCode();
            }
        }

        await using var browser = await OpenAsync();
        var page = browser.Page;
        await SignInAsync(page, email);
        await StartSessionAsync(page);
        await SendAsync(page, "I keep saying yes to everything.");
        await Expect(Finished(Replies(page).Last).Locator(".text")).ToHaveTextAsync(Reply);
        await page.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();

        var summary = page.Locator("#summary");
        await Expect(summary).ToBeVisibleAsync();
        await Expect(summary.Locator("#summary-virtue")).ToContainTextAsync("courage");
        await Expect(summary.Locator("#summary-insights")).ToContainTextAsync("Saying no protects the mornings.");
        await Expect(summary.Locator("#summary-goals")).ToContainTextAsync("Walk before work");
        await browser.ScreenshotAsync("summary");
        await summary.GetByRole(AriaRole.Button, new() { Name = "Accept goal: Walk before work" }).ClickAsync();
        await Expect(summary.Locator("#summary-goals button")).ToHaveTextAsync("Added to your goals");

        await page.GetByRole(AriaRole.Button, new() { Name = "Dashboard" }).ClickAsync();
        var goal = page.Locator("#goals li", new() { HasText = "Walk before work" });
        await Expect(goal).ToBeVisibleAsync();
        await Expect(goal.Locator("progress")).ToHaveAttributeAsync("value", "0");
        await Expect(page.Locator("#streak")).ToHaveTextAsync("1 day");
        await Expect(page.Locator("#virtues")).ToContainTextAsync("courage");
        await Expect(page.Locator("#achievements")).ToContainTextAsync("points");
        await Expect(page.Locator("#sessions li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#sessions")).ToContainTextAsync("completed");
        await Expect(page.Locator("#mood-chart svg circle")).ToHaveCountAsync(3);
        await Expect(page.Locator("#moods")).ToContainTextAsync("hopeful, 8 of 10");
        await browser.ScreenshotAsync("dashboard");
    }

    [Fact]
    public async Task The_coach_recording_goal_progress_shows_under_its_reply_and_on_the_dashboard()
    {
        var email = NewEmail();
        string goalId;
        using (var api = await host.ApiAsAsync(email))
        {
            var created = await api.PostAsJsonAsync("/api/goals", new { goal_text = "Run three times a week", goal_type = "health" });
            created.EnsureSuccessStatusCode();
            goalId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        // The model calls the offered tool, then confirms in words once it has the tool's result.
        host.CoachAnswers(request =>
        {
            if (request.Messages.Any(m => m.Role == "tool"))
            {
                return FakeResponse.Reply("Great running! Your goal is now at 40 percent.");
            }

            var tool = request.Body.GetProperty("tools").EnumerateArray()
                .Select(t => t.GetProperty("function"))
                .Single(f => f.GetProperty("name").GetString()!.EndsWith("record_goal_progress", StringComparison.Ordinal));
            var names = tool.GetProperty("parameters").GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
            var arguments = new Dictionary<string, object>
            {
                [names.Single(n => n.Contains("goal", StringComparison.OrdinalIgnoreCase))] = goalId,
                [names.Single(n => n.Contains("progress", StringComparison.OrdinalIgnoreCase))] = 40,
            };
            return FakeResponse.CallTools(new FakeToolCall("call-1", tool.GetProperty("name").GetString()!, JsonSerializer.Serialize(arguments)));
        });

        await using var browser = await OpenAsync();
        var page = browser.Page;
        await SignInAsync(page, email);
        await StartSessionAsync(page);
        await SendAsync(page, "I ran three times this week.");
        var reply = Finished(Replies(page).Last);
        await Expect(reply.Locator(".text")).ToHaveTextAsync("Great running! Your goal is now at 40 percent.");
        await Expect(reply.Locator(".actions li")).ToHaveTextAsync("Goal progress recorded: Run three times a week, now 40 %");
        await browser.ScreenshotAsync("coach-action");

        await page.GetByRole(AriaRole.Button, new() { Name = "Dashboard" }).ClickAsync();
        await Expect(page.Locator("#goals li", new() { HasText = "Run three times a week" }).Locator("progress")).ToHaveAttributeAsync("value", "40");
    }

    [Fact]
    public async Task A_reply_with_script_or_html_renders_as_plain_text_and_runs_nothing()
    {
        const string hostile = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"><b>bold</b> and <a href=\"javascript:alert(1)\">a link</a>.";
        host.CoachSays(hostile);
        await using var browser = await OpenAsync();
        var page = browser.Page;
        var response = await page.ReloadAsync();
        Assert.Contains("script-src 'self'", response!.Headers["content-security-policy"]);
        Assert.DoesNotContain("unsafe-inline", response.Headers["content-security-policy"]);
        Assert.Equal("nosniff", response.Headers["x-content-type-options"]);

        await SignInAsync(page, NewEmail());
        await StartSessionAsync(page);
        await SendAsync(page, "<i>my</i> message & <script>window.__pwned = 3</script>");
        var reply = Finished(Replies(page).Last);
        await Expect(reply.Locator(".text")).ToHaveTextAsync(hostile);
        await Expect(page.Locator("#transcript li.message.user .text")).ToHaveTextAsync("<i>my</i> message & <script>window.__pwned = 3</script>");
        Assert.Equal(0, await page.Locator("#transcript script, #transcript img, #transcript b, #transcript i, #transcript a").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        Assert.Empty(await browser.CspViolationsAsync());
        Assert.Empty(browser.ConsoleErrors);
        Assert.Empty(browser.PageErrors);

        // The policy is the second line, and the listener does count: an inline script added now is refused.
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s); }");
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__inline ?? null"));
        Assert.Single(await browser.CspViolationsAsync());
    }

    [Fact]
    public async Task After_the_server_drops_the_connection_the_page_reconnects_and_resumes_without_duplicates()
    {
        host.CoachSays(Reply, TimeSpan.FromMilliseconds(250));
        var email = NewEmail();
        await using var browser = await OpenAsync();
        var page = browser.Page;
        await SignInAsync(page, email);
        await StartSessionAsync(page);
        await SendAsync(page, "Work has been a lot this week.");
        await Expect(page.Locator("#transcript li.message.assistant.streaming")).ToContainTextAsync("That sounds");

        // The server cuts the socket and refuses new connections for a moment: the page says it is offline.
        host.Dropper.RefuseNew = true;
        Assert.True(host.Dropper.DropAll() >= 1);
        await Expect(page.Locator("#connection-status")).ToHaveTextAsync("Offline: reconnecting…");
        await browser.ScreenshotAsync("offline");
        await Task.Delay(1000);
        host.Dropper.RefuseNew = false;

        await Expect(page.Locator("#connection-status")).ToHaveTextAsync("");
        await Expect(Finished(Replies(page).Last).Locator(".text")).ToHaveTextAsync(Reply);
        await Expect(page.Locator("#transcript li.message")).ToHaveCountAsync(2);
        await Expect(page.Locator("#transcript li.message.user .text")).ToHaveTextAsync("Work has been a lot this week.");

        // The conversation goes on over the new connection, still without a copy of anything.
        host.CoachSays("One small step, then.");
        await SendAsync(page, "Yes, let us.");
        await Expect(Finished(Replies(page).Last).Locator(".text")).ToHaveTextAsync("One small step, then.");
        await Expect(page.Locator("#transcript li.message")).ToHaveCountAsync(4);
        var stored = await host.NewestSessionMessagesAsync(email);
        Assert.Equal(["user", "assistant", "user", "assistant"], stored.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(Reply, stored[1].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Keyboard_only_use_completes_a_turn()
    {
        host.CoachSays(Reply);
        await using var browser = await OpenAsync();
        var page = browser.Page;
        var keyboard = page.Keyboard;
        async Task<string> Focused() => await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''");
        async Task TabTo(string id)
        {
            for (var i = 0; i < 15 && await Focused() != id; i++)
            {
                await keyboard.PressAsync("Tab");
            }

            Assert.Equal(id, await Focused());
            // Keyboard focus is visible.
            Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        }

        await TabTo("dev-email");
        await keyboard.PressAsync("Control+A");
        await keyboard.TypeAsync(NewEmail());
        await keyboard.PressAsync("Enter");
        await Expect(page.Locator("#session-form")).ToBeVisibleAsync();
        Assert.Equal("session-type", await Focused());
        await TabTo("start-session");
        await keyboard.PressAsync("Enter");
        await Expect(page.Locator("#conversation")).ToBeVisibleAsync();
        Assert.Equal("message", await Focused());
        await keyboard.TypeAsync("Hello, coach.");
        await keyboard.PressAsync("Enter");
        await Expect(Finished(Replies(page).Last).Locator(".text")).ToHaveTextAsync(Reply);
        await Expect(page.Locator("#transcript li.message.user .text")).ToHaveTextAsync("Hello, coach.");
        Assert.Equal("message", await Focused());
    }

    [Fact]
    public async Task At_phone_width_nothing_overflows()
    {
        host.CoachSays("Try this: " + new string('w', 120) + " and https://example.com/" + new string('p', 90) + " today.");
        await using var browser = await OpenAsync(width: 390);
        var page = browser.Page;
        const string overflowing = """
            () => [...document.querySelectorAll("body *")]
              .filter(e => e.getClientRects().length > 0 && !e.closest(".visually-hidden, .skip"))
              .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
              .map(e => e.id || e.className || e.tagName)
            """;
        Assert.Empty(await page.EvaluateAsync<string[]>(overflowing));
        await SignInAsync(page, NewEmail());
        await StartSessionAsync(page);
        await SendAsync(page, "A long message " + new string('x', 200));
        await Expect(Finished(Replies(page).Last).Locator(".text")).ToContainTextAsync("today.");
        Assert.Empty(await page.EvaluateAsync<string[]>(overflowing));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"));
        await browser.ScreenshotAsync("phone-conversation");

        await page.GetByRole(AriaRole.Button, new() { Name = "Dashboard" }).ClickAsync();
        await Expect(page.Locator("#sessions li")).ToHaveCountAsync(1);
        Assert.Empty(await page.EvaluateAsync<string[]>(overflowing));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"));
        await browser.ScreenshotAsync("phone-dashboard");
    }

    /// <summary>The Web Speech API as a test drives it: headless Chromium has no microphone and no voices.</summary>
    private const string FakeSpeech = """
        (() => {
          const speech = { utterances: [], recognizer: null, cancelled: 0 };
          const result = (text, isFinal) => Object.assign([{ transcript: text, confidence: 0.9 }], { isFinal });
          speech.hear = (text, isFinal) => speech.recognizer.onresult({ resultIndex: 0, results: [result(text, isFinal)] });
          speech.finishNext = () => {
            const next = speech.utterances.find(u => !u.done);
            if (!next) return null;
            next.done = true;
            next.utterance.onend?.({});
            return next.utterance.text;
          };
          window.__speech = speech;
          window.SpeechRecognition = class {
            constructor() { speech.recognizer = this; }
            start() { speech.listening = true; }
            stop() { speech.listening = false; }
            abort() { speech.listening = false; }
          };
          window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
          Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
            speak: u => speech.utterances.push({ utterance: u, done: false }),
            cancel: () => { speech.cancelled++; speech.utterances.forEach(u => u.done = true); },
            getVoices: () => [], pause() {}, resume() {},
          } });
        })();
        """;

    [Fact]
    public async Task Voice_mode_sends_partials_speaks_by_sentence_and_a_barge_in_keeps_what_was_heard()
    {
        host.CoachSays(Reply, TimeSpan.FromMilliseconds(150));
        var email = NewEmail();
        await using var browser = await OpenAsync(initScript: FakeSpeech);
        var page = browser.Page;
        await SignInAsync(page, email);
        await StartSessionAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Voice mode" }).ClickAsync();
        await Expect(page.Locator("#voice")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__speech.listening"));

        await page.EvaluateAsync("() => window.__speech.hear('Work has', false)");
        await CoachClient.WaitForAsync(() => host.Hub.Calls.FirstOrDefault(c => c.Method == "SendPartialTranscript" && c.Arguments[1] == "Work has").Method);
        await page.EvaluateAsync("() => window.__speech.hear('Work has been a lot this week.', true)");
        await Expect(page.Locator("#transcript li.message.user .text")).ToHaveTextAsync("Work has been a lot this week.");

        // The first sentence goes to the synthesiser alone, once it is complete.
        await page.WaitForFunctionAsync("() => window.__speech.utterances.length >= 1");
        Assert.Equal("That sounds like a full week.", await page.EvaluateAsync<string>("() => window.__speech.finishNext()"));

        // The user talks over the coach: speech stops and only the spoken sentence is kept.
        await page.EvaluateAsync("() => window.__speech.hear('Wait', false)");
        var reply = Replies(page).Last;
        await Expect(reply.Locator(".note")).ToHaveTextAsync("Stopped");
        await Expect(reply.Locator(".text")).ToHaveTextAsync("That sounds like a full week.");
        Assert.True(await page.EvaluateAsync<int>("() => window.__speech.cancelled") >= 1);
        var stored = (await host.NewestSessionMessagesAsync(email)).Last();
        Assert.True(stored.GetProperty("interrupted").GetBoolean());
        Assert.Equal("That sounds like a full week.", stored.GetProperty("content").GetString());
        // What was spoken, in characters: the 29 of the first sentence.
        var interrupt = host.Hub.Calls.Last(c => c.Method == "Interrupt");
        Assert.Contains("29", interrupt.Arguments[2]);
        await browser.ScreenshotAsync("voice-barge-in");
    }
}
