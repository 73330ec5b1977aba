// The page: sign-in, a session with a streaming reply (Stop, voice mode), its summary, and the dashboard.
import * as api from "./api.js";
import { Conversation, errorText } from "./conversation.js";
import { loadDashboard } from "./dashboard.js";
import { $, el, words } from "./dom.js";
import { VoiceMode, voiceSupported } from "./voice.js";

let user = null;
let voice = null;
const rows = new Map(); // turn_id -> { user: <li>, reply: <li> }

const show = (id, visible) => { $(id).hidden = !visible; };
const say = (id, text) => { $(id).textContent = text ?? ""; };

// ---- what the conversation shows ----------------------------------------------------------------------

function row(turnId) {
  let entry = rows.get(turnId);
  if (!entry) rows.set(turnId, entry = {});
  return entry;
}

function message(role, label) {
  const li = el("li", { className: `message ${role}` }, el("span", { className: "who", text: label }), el("span", { className: "text" }));
  $("transcript").append(li);
  return li;
}

function replyRow(turn) {
  const entry = row(turn.id);
  if (!entry.reply) {
    entry.reply = message("assistant", "Coach");
    entry.reply.dataset.turnId = turn.id;
  }
  return entry.reply;
}

function setReply(li, text) {
  li.querySelector(".text").textContent = text;
  li.querySelector(".note")?.remove();
}

function note(li, text) {
  li.querySelector(".note")?.remove();
  li.append(el("span", { className: "note", text }));
}

const view = {
  addUserMessage(turn) {
    const entry = row(turn.id);
    if (entry.user) return;
    entry.user = message("user", user?.name || "You");
    entry.user.dataset.turnId = turn.id;
    entry.user.querySelector(".text").textContent = turn.text;
  },
  replyText(turn, text, sentenceEnd) {
    const li = replyRow(turn);
    li.classList.add("streaming");
    setReply(li, text);
    if (sentenceEnd) voice?.speak(turn.id, text);
  },
  completeReply(turn, content, interrupted, kind) {
    const li = replyRow(turn);
    li.classList.remove("streaming");
    li.dataset.kind = kind ?? "text";
    setReply(li, content);
    if (interrupted) note(li, "Stopped");
    else voice?.speak(turn.id, content);
  },
  replyInterrupted(turn, heardContent, kept) {
    const li = replyRow(turn);
    li.classList.remove("streaming");
    if (kept) {
      setReply(li, heardContent);
      note(li, "Stopped");
    } else {
      setReply(li, "");
      note(li, "Stopped before the coach said anything.");
    }
  },
  failReply(turn, reason, code) {
    const li = replyRow(turn);
    li.classList.remove("streaming");
    setReply(li, "");
    note(li, reason);
    if (code === "turn_failed" && !reason.includes("nothing was kept")) {
      const retry = el("button", { text: "Send again", attrs: { type: "button" } });
      retry.addEventListener("click", () => { retry.remove(); conversation.send(turn); });
      li.append(retry);
    }
  },
  retractReply(turn) {
    setReply(replyRow(turn), "");
    voice?.silence();
  },
  emotions(turnId, messageSequence, emotions) {
    const li = row(turnId).user;
    if (!li) return;
    li.querySelector(".emotions")?.remove();
    const list = el("ul", { className: "emotions", attrs: { "aria-label": "How this message felt" } });
    for (const e of emotions) {
      const swatch = el("span", { className: "swatch", attrs: { "aria-hidden": "true" } });
      swatch.style.backgroundColor = /^#[0-9a-fA-F]{6}$/.test(e.color) ? e.color : "transparent";
      const level = el("span", { className: "level", attrs: { "aria-hidden": "true" } });
      for (let i = 1; i <= 5; i++) {
        const bar = el("span");
        if (i <= e.intensity) bar.style.backgroundColor = swatch.style.backgroundColor;
        level.append(bar);
      }
      list.append(el("li", { className: "emotion", attrs: { "data-emotion": e.emotion } },
        swatch, el("span", { text: `${e.emotion} ${e.intensity}/5` }), level));
    }
    li.append(list);
  },
  action(turnId, action) {
    if (action.outcome !== "done") return; // refused calls changed nothing
    const li = row(turnId).reply ?? replyRow({ id: turnId });
    let list = li.querySelector(".actions");
    if (!list) li.append(list = el("ul", { className: "actions", attrs: { "aria-label": "What the coach did" } }));
    list.append(el("li", {
      text: action.function === "goals.record_goal_progress"
        ? `Goal progress recorded: ${action.goal ?? "a goal"}, now ${action.progress_percentage} %`
        : `Mood logged: ${action.mood} (${action.intensity} of 10)`,
    }));
  },
  profile(profile) {
    show("profile", true);
    const wing = profile.enneagram_wing ? `w${profile.enneagram_wing}` : "";
    say("profile-text", `DISC ${profile.disc_type} · Enneagram ${profile.enneagram_type}${wing} · focus: ${profile.focus_categories.map(words).join(", ") || "none yet"}`);
    $("profile-goals").replaceChildren(...profile.goals.map(g => el("li", { text: g })));
  },
  streaming(on) {
    $("stop").disabled = !on;
    $("send").disabled = on;
  },
  connection(state) {
    const status = $("connection-status");
    status.classList.toggle("offline", state !== "online");
    status.textContent = state === "offline" ? "Offline: reconnecting…" : state === "closed" ? "Disconnected" : "";
  },
  error(text) {
    say("chat-error", text);
  },
};

const conversation = new Conversation(view, () => api.getToken());

// ---- sign-in ------------------------------------------------------------------------------------------

async function signedIn() {
  user = await api.me();
  await conversation.connect();
  show("sign-in", false);
  show("nav", true);
  showChat();
  const onboarding = !user.onboarding_completed;
  show("onboarding-hint", onboarding);
  $("session-type").value = onboarding ? "onboarding_assessment" : "face_to_face";
  if (voiceSupported()) show("voice", true);
  $("session-type").focus();
}

$("dev-sign-in").addEventListener("submit", async event => {
  event.preventDefault();
  say("sign-in-error", "");
  try {
    await api.devSignIn($("dev-email").value.trim(), $("dev-name").value.trim());
    await signedIn();
  } catch (error) {
    say("sign-in-error", error.status === 404
      ? "Development sign-in is not available on this service: paste a token instead."
      : `Could not sign in: ${error.message}`);
  }
});

$("token-sign-in").addEventListener("submit", async event => {
  event.preventDefault();
  say("sign-in-error", "");
  api.setToken($("token-input").value.trim());
  try {
    await signedIn();
  } catch (error) {
    api.setToken(null);
    say("sign-in-error", error.status === 401 ? "This token was refused." : `Could not sign in: ${error.message}`);
  }
});

$("sign-out").addEventListener("click", async () => {
  voice?.stop();
  await conversation.disconnect();
  api.setToken(null);
  location.reload();
});

// ---- navigation ---------------------------------------------------------------------------------------

function showChat() {
  show("chat", true);
  show("dashboard", false);
  $("nav-chat").setAttribute("aria-current", "page");
  $("nav-dashboard").removeAttribute("aria-current");
}

async function showDashboard() {
  show("chat", false);
  show("dashboard", true);
  $("nav-dashboard").setAttribute("aria-current", "page");
  $("nav-chat").removeAttribute("aria-current");
  $("dashboard").focus();
  try {
    await loadDashboard();
  } catch (error) {
    say("streak-detail", `Could not load the dashboard: ${error.message}`);
  }
}

$("nav-chat").addEventListener("click", showChat);
$("nav-dashboard").addEventListener("click", showDashboard);

// ---- a session ----------------------------------------------------------------------------------------

$("session-form").addEventListener("submit", async event => {
  event.preventDefault();
  say("chat-error", "");
  try {
    const session = await conversation.start($("session-type").value, $("persona").value);
    rows.clear();
    $("transcript").replaceChildren();
    show("profile", false);
    show("summary", false);
    show("session-form", false);
    show("conversation", true);
    say("session-info", `${words(session.session_type)} with your ${words(session.persona)}`);
    $("message").focus();
  } catch (error) {
    say("chat-error", errorText(error));
  }
});

$("composer").addEventListener("submit", async event => {
  event.preventDefault();
  const text = $("message").value.trim();
  if (!text || $("send").disabled) return;
  $("message").value = "";
  say("chat-error", "");
  await conversation.say(text);
});

// Enter sends, Shift+Enter makes a new line.
$("message").addEventListener("keydown", event => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("stop").addEventListener("click", async () => {
  voice?.silence();
  try {
    await conversation.interrupt();
  } catch (error) {
    view.error(errorText(error));
  }
  $("message").focus();
});

$("end-session").addEventListener("click", async () => {
  voice?.stop();
  setVoiceButton(false);
  $("end-session").disabled = true;
  say("chat-error", "");
  try {
    showSummary(await conversation.end());
  } catch (error) {
    view.error(errorText(error));
  } finally {
    $("end-session").disabled = false;
  }
});

function showSummary(summary) {
  show("conversation", false);
  show("summary", true);
  show("summary-notice", Boolean(summary.notice));
  say("summary-notice", summary.notice);
  const virtue = $("summary-virtue");
  virtue.replaceChildren(...(summary.virtue
    ? [el("p", { className: "big", text: summary.virtue.name }), el("p", { text: summary.virtue.description })]
    : [el("p", { className: "hint", text: "No virtue this time." })]));
  $("summary-insights").replaceChildren(...summary.key_insights.map(i => el("li", { text: i.insight })));
  $("summary-goals").replaceChildren(...summary.suggested_goals.map(s => {
    const accept = el("button", { text: "Accept goal", attrs: { type: "button", "aria-label": `Accept goal: ${s.goal.description}` } });
    const li = el("li", {}, el("strong", { text: s.goal.description }), el("br"), el("span", { text: s.goal.smart_goal }), el("br"), accept);
    accept.addEventListener("click", async () => {
      accept.disabled = true;
      try {
        await conversation.acceptGoal(s.index);
        accept.textContent = "Added to your goals";
      } catch (error) {
        accept.disabled = false;
        li.append(el("span", { className: "error", text: errorText(error) }));
      }
    });
    return li;
  }));
  say("summary-streak", `Daily streak: ${summary.daily_streak} (longest ${summary.longest_daily_streak})` +
    (summary.new_achievements.length ? ` · New: ${summary.new_achievements.map(a => a.title).join(", ")}` : ""));
  $("summary").focus();
}

$("new-session").addEventListener("click", async () => {
  user = await api.me();
  show("onboarding-hint", !user.onboarding_completed);
  $("session-type").value = user.onboarding_completed ? "face_to_face" : "onboarding_assessment";
  show("summary", false);
  show("session-form", true);
  $("session-type").focus();
});

// ---- voice mode ---------------------------------------------------------------------------------------

function setVoiceButton(on) {
  $("voice").setAttribute("aria-pressed", String(on));
  $("voice").textContent = on ? "Voice mode: on" : "Voice mode";
}

$("voice").addEventListener("click", () => {
  if (voice?.on) {
    voice.stop();
    voice = null;
    setVoiceButton(false);
    return;
  }
  voice = new VoiceMode(user?.preferred_language ?? "en", {
    onStatus: text => say("voice-status", text),
    onPartial: text => conversation.partial(text),
    onFinal: text => conversation.say(text),
    // Talking over the coach: stop speaking and keep only what was heard.
    onSpeechStart: () => {
      if (!voice.speaking && !conversation.streamingTurnId) return;
      const heard = voice.silence();
      conversation.interrupt(heard).catch(error => view.error(errorText(error)));
    },
  });
  voice.start();
  setVoiceButton(true);
});
