// The REST API (docs/decisions/rest-api.md, CoachService.Api.http): JSON in snake_case, errors as problem documents.

let token = null;

export const getToken = () => token;
export const setToken = value => { token = value; };

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function request(method, path, body) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/** POST /dev/token: only mapped in Development; a 404 anywhere else. */
export async function devSignIn(email, name) {
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const answer = await request("POST", "/dev/token", { email, name: name || undefined, timezone });
  token = answer.access_token;
  return answer;
}

export const me = () => request("GET", "/api/me");
export const preferences = () => request("GET", "/api/me/preferences");
export const dashboard = () => request("GET", "/api/dashboard");
export const virtues = () => request("GET", "/api/virtues");
export const goals = () => request("GET", "/api/goals");
export const achievements = () => request("GET", "/api/achievements");
export const moodCheckIns = days => request("GET", `/api/mood-checkins?days=${days}`);
export const sessions = () => request("GET", "/api/sessions?page=1&pageSize=5");
