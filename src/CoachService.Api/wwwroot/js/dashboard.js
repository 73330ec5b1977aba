// The dashboard: streak, virtues, goals with progress bars, achievements, mood check-ins over time, recent sessions.
import * as api from "./api.js";
import { $, el, fill, svg, words } from "./dom.js";

const date = iso => new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short" });

export async function loadDashboard() {
  const [summary, virtues, goals, achievements, moods, sessions] = await Promise.all([
    api.dashboard(), api.virtues(), api.goals(), api.achievements(), api.moodCheckIns(30), api.sessions(),
  ]);
  $("streak").textContent = `${summary.daily_streak} day${summary.daily_streak === 1 ? "" : "s"}`;
  $("streak-detail").textContent =
    `Longest ${summary.longest_daily_streak} · ${summary.sessions_this_week} this week · ${summary.achievement_points} points`;

  fill($("virtues"), virtues, v => el("li", { text: v.times_earned > 1 ? `${v.name} ×${v.times_earned}` : v.name, attrs: { title: v.description ?? "" } }),
    "No virtue yet: end a session to earn one.");

  fill($("goals"), goals.filter(g => g.status !== "archived"), goal => {
    const label = `${goal.goal_text}: ${goal.progress_percentage} %`;
    return el("li", { attrs: { "data-goal-id": goal.id } },
      el("span", { className: "goal-text", text: goal.goal_text }),
      el("span", { className: "hint", text: ` ${goal.progress_percentage} % · ${words(goal.status)}` }),
      el("progress", { attrs: { max: 100, value: goal.progress_percentage, "aria-label": label } }));
  }, "No goals yet.");

  fill($("achievements"), achievements.filter(a => a.earned),
    a => el("li", { text: `${a.title} (${a.points} points)`, attrs: { title: a.description } }), "None earned yet.");

  const ordered = [...moods].sort((a, b) => a.recorded_at.localeCompare(b.recorded_at));
  moodChart($("mood-chart"), ordered);
  fill($("moods"), ordered, m => el("li", { text: `${date(m.recorded_at)}: ${m.mood}, ${m.intensity} of 10` }), "No check-ins in the last 30 days.");

  fill($("sessions"), sessions.items, s => el("li", {
    text: `${date(s.started_at)} · ${words(s.type)} · ${words(s.status)}${s.virtue_earned ? ` · ${s.virtue_earned}` : ""}`,
  }), "No sessions yet.");
}

/** Intensity (1-10) of each check-in, oldest to newest, as a small line chart; the list beside it says the same in words. */
function moodChart(container, moods) {
  if (moods.length === 0) {
    container.replaceChildren(el("p", { className: "hint", text: "No check-ins in the last 30 days." }));
    return;
  }
  const width = 300, height = 120, left = 24, bottom = 20, top = 8;
  const x = i => left + (moods.length === 1 ? (width - left) / 2 : (i * (width - left - 8)) / (moods.length - 1));
  const y = v => top + ((10 - v) * (height - top - bottom)) / 9;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Mood intensity of ${moods.length} check-ins, oldest first` });
  chart.append(svg("line", { class: "axis", x1: left, y1: y(1), x2: width, y2: y(1) }));
  chart.append(svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: y(1) }));
  for (const v of [1, 5, 10]) {
    const label = svg("text", { x: 2, y: y(v) + 3 });
    label.textContent = String(v);
    chart.append(label);
  }
  chart.append(svg("polyline", { class: "line", points: moods.map((m, i) => `${x(i)},${y(m.intensity)}`).join(" ") }));
  moods.forEach((m, i) => {
    const dot = svg("circle", { class: "dot", cx: x(i), cy: y(m.intensity), r: 3 });
    const title = svg("title");
    title.textContent = `${date(m.recorded_at)}: ${m.mood}, ${m.intensity} of 10`;
    dot.append(title);
    chart.append(dot);
  });
  const first = svg("text", { x: left, y: height - 4 });
  first.textContent = date(moods[0].recorded_at);
  chart.append(first);
  container.replaceChildren(chart);
}
