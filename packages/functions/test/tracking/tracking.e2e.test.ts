import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as ApiKey from "@coach/core/apikey";
import * as Tracking from "@coach/core/tracking";
import { testStackConfig } from "../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { testClock } from "../../../core/test/support/clock";
import { apiClient, craftCursor, expectNoInternals, expectProblem, expectStandardHeaders, ISO_TIMESTAMP, newUser, type Api, type ApiResponse, type CallOptions } from "../support/api";

/**
 * The state-tracking API over real HTTP against the local runtime, as a
 * machine client uses it: every route, API-key handling, stale detection
 * with the tracking clock (the handlers run in this process and share it),
 * concurrent slot claims, transitions and bad input.
 */
let stack: LocalStack;
let api: Api;
let key: string;

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
  api = apiClient(stack);
  key = stack.devApiKey;
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(() => testClock.reset());

const withKey = (options: CallOptions = {}): CallOptions => ({ ...options, authorization: `Bearer ${key}` });
const get = (path: string, options?: CallOptions) => api.get(`/api/tracking${path}`, withKey(options));
const post = (path: string, json?: unknown) => api.post(`/api/tracking${path}`, withKey(json === undefined ? {} : { json }));
const patch = (path: string, json: unknown) => api.call("PATCH", `/api/tracking${path}`, withKey({ json }));
const del = (path: string) => api.delete(`/api/tracking${path}`, withKey());

function expectOk(response: ApiResponse, status = 200) {
  expect(response.status, response.text).toBe(status);
  if (status !== 204) expect(response.headers.get("content-type")).toBe("application/json");
  expectStandardHeaders(response);
}

async function createSession(json: Record<string, unknown> = {}) {
  const response = await post("/sessions", { projectId: "proj-e2e", ...json });
  expectOk(response, 201);
  return response.body as Tracking.RunInfo;
}

async function createMachine(json: Record<string, unknown> = {}) {
  const response = await post("/machines", { hostname: "worker.local", capacity: 3, ...json });
  expectOk(response, 201);
  return response.body as Tracking.MachineInfo;
}

async function listAll<T>(path: string, field: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const response = await get(`${path}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ""}`);
    expectOk(response);
    items.push(...(response.body[field] as T[]));
    cursor = response.body.nextCursor;
  } while (cursor);
  return items;
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);

describe("API keys on tracking routes", () => {
  it("answers 401 without a key, with a wrong key, with a revoked key, and with a user token", async () => {
    expectProblem(await api.get("/api/tracking/machines"), 401, "auth.missing_credentials");
    const wrong = `ck_${"0".repeat(26)}_${"A".repeat(43)}`;
    expectProblem(await api.get("/api/tracking/machines", { authorization: `Bearer ${wrong}` }), 401, "auth.invalid_api_key");
    expectProblem(await api.get("/api/tracking/machines", { headers: { "x-api-key": wrong } }), 401, "auth.invalid_api_key");
    expectProblem(await api.get("/api/tracking/machines", { headers: { "x-api-key": "not-a-key" } }), 401, "auth.invalid_api_key");
    const { key: revoked, info } = await ApiKey.create("tracking e2e revoked");
    expect((await api.get("/api/tracking/machines", { headers: { "x-api-key": revoked } })).status).toBe(200);
    await ApiKey.revoke(info.id);
    expectProblem(await api.get("/api/tracking/machines", { headers: { "x-api-key": revoked } }), 401, "auth.invalid_api_key");
    expectProblem(await api.get("/api/tracking/machines", { authorization: `Bearer ${revoked}` }), 401, "auth.invalid_api_key");
    const asUser = await api.get("/api/tracking/machines", { as: newUser() });
    expectProblem(asUser, 401, "auth.api_key_required");
    expect(asUser.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("takes the key as X-API-Key alone, and lets Bearer win when both are sent", async () => {
    expectOk(await api.get("/api/tracking/machines", { headers: { "x-api-key": key } }));
    expectOk(await api.get("/api/tracking/machines", { authorization: `Bearer ${key}`, headers: { "x-api-key": "wrong" } }));
    const wrong = `ck_${"1".repeat(26)}_${"B".repeat(43)}`;
    expectProblem(await api.get("/api/tracking/machines", { authorization: `Bearer ${wrong}`, headers: { "x-api-key": key } }), 401, "auth.invalid_api_key");
  });

  it("lets any valid key see the deployment's tracking data", async () => {
    const session = await createSession();
    const { key: other } = await ApiKey.create("tracking e2e second client");
    const response = await api.get(`/api/tracking/sessions/${session.id}`, { headers: { "x-api-key": other } });
    expectOk(response);
    expect(response.body).toEqual(session);
  });

  it("keeps /health and /health/ready public", async () => {
    expectOk(await api.get("/health"));
    expect((await api.get("/health/ready")).status).toBe(200);
  });
});

describe("sessions", () => {
  it("POST creates, GET reads, PATCH changes, heartbeat moves the heartbeat, DELETE removes", async () => {
    testClock.set("2040-01-01T00:00:00.000Z");
    const session = await createSession({ machineId: "mach-1", metadata: { editor: "vscode" } });
    expect(session).toEqual({
      id: expect.stringMatching(/^tses_[0-9A-Z]{26}$/),
      projectId: "proj-e2e",
      machineId: "mach-1",
      status: "active",
      startedAt: "2040-01-01T00:00:00.000Z",
      lastHeartbeat: "2040-01-01T00:00:00.000Z",
      updatedAt: "2040-01-01T00:00:00.000Z",
      metadata: { editor: "vscode" },
      version: 1,
    });
    const read = await get(`/sessions/${session.id}`);
    expectOk(read);
    expect(read.body).toEqual(session);

    const paused = await patch(`/sessions/${session.id}`, { status: "paused", machineId: null });
    expectOk(paused);
    expect(paused.body).toMatchObject({ status: "paused", version: 2 });
    expect(paused.body.machineId).toBeUndefined();

    testClock.set("2040-01-01T00:01:00.000Z");
    const beat = await post(`/sessions/${session.id}/heartbeat`);
    expectOk(beat);
    expect(beat.body).toMatchObject({ status: "paused", lastHeartbeat: "2040-01-01T00:01:00.000Z", version: 3 });

    const paged = await listAll<Tracking.RunInfo>("/sessions?status=paused&limit=50", "sessions");
    expect(ids(paged)).toContain(session.id);
    const everything = await listAll<Tracking.RunInfo>("/sessions?limit=100", "sessions");
    expect(ids(everything)).toContain(session.id);

    const removed = await del(`/sessions/${session.id}`);
    expectOk(removed, 204);
    expect(removed.text).toBe("");
    expectProblem(await get(`/sessions/${session.id}`), 404, "tracking.session_not_found");
    expectProblem(await del(`/sessions/${session.id}`), 404, "tracking.session_not_found");
  });

  it("GET ?status=stale finds sessions silent past the window as the clock moves, and a heartbeat clears them", async () => {
    const t0 = Date.parse("2041-07-01T08:00:00.000Z");
    testClock.set(t0);
    const silent = await createSession();
    const alive = await createSession();
    testClock.set(t0 + 250_000);
    expectOk(await post(`/sessions/${alive.id}/heartbeat`));
    let stale = ids(await listAll<Tracking.RunInfo>("/sessions?status=stale&limit=3", "sessions"));
    expect(stale).not.toContain(silent.id);

    testClock.set(t0 + 301_000);
    stale = ids(await listAll<Tracking.RunInfo>("/sessions?status=stale&limit=3", "sessions"));
    expect(stale).toContain(silent.id);
    expect(stale).not.toContain(alive.id);
    const health = await get("/health");
    expectOk(health);
    expect(health.body.sessions.stale).toBeGreaterThanOrEqual(1);

    expectOk(await post(`/sessions/${silent.id}/heartbeat`));
    stale = ids(await listAll<Tracking.RunInfo>("/sessions?status=stale&limit=3", "sessions"));
    expect(stale).not.toContain(silent.id);
  });

  it("answers 409 problem+json for a transition the rules forbid", async () => {
    const session = await createSession();
    expectOk(await patch(`/sessions/${session.id}`, { status: "completed" }));
    expectProblem(await patch(`/sessions/${session.id}`, { status: "active" }), 409, "tracking.invalid_transition");
    expectProblem(await post(`/sessions/${session.id}/heartbeat`), 409, "tracking.session_finished");
    expectProblem(await post("/sessions", { id: session.id, projectId: "p" }), 409, "tracking.session_exists");
  });
});

describe("tasks", () => {
  it("POST creates, GET reads and lists by session and status, PATCH moves it on, DELETE removes", async () => {
    const session = await createSession();
    const created = await post("/tasks", { sessionId: session.id, title: "Refactor parser" });
    expectOk(created, 201);
    const task = created.body as Tracking.TaskInfo;
    expect(task).toMatchObject({ sessionId: session.id, title: "Refactor parser", status: "pending", progress: 0, version: 1 });
    expect(task.createdAt).toMatch(ISO_TIMESTAMP);
    const other = (await post("/tasks", { sessionId: session.id, title: "Write docs", status: "blocked" })).body as Tracking.TaskInfo;

    const read = await get(`/tasks/${task.id}`);
    expectOk(read);
    expect(read.body).toEqual(task);

    const started = await patch(`/tasks/${task.id}`, { status: "in_progress", progress: 40 });
    expectOk(started);
    expect(started.body).toMatchObject({ status: "in_progress", progress: 40, startedAt: expect.stringMatching(ISO_TIMESTAMP) });

    const inSession = await listAll<Tracking.TaskInfo>(`/tasks?sessionId=${session.id}&limit=1`, "tasks");
    expect(ids(inSession)).toEqual([task.id, other.id]);
    const blockedHere = await listAll<Tracking.TaskInfo>(`/tasks?sessionId=${session.id}&status=blocked`, "tasks");
    expect(ids(blockedHere)).toEqual([other.id]);
    const inProgress = await listAll<Tracking.TaskInfo>("/tasks?status=in_progress&limit=100", "tasks");
    expect(ids(inProgress)).toContain(task.id);
    const allTasks = await listAll<Tracking.TaskInfo>("/tasks?limit=100", "tasks");
    expect(ids(allTasks)).toEqual(expect.arrayContaining([task.id, other.id]));

    const done = await patch(`/tasks/${task.id}`, { status: "completed" });
    expectOk(done);
    expect(done.body).toMatchObject({ status: "completed", progress: 100, completedAt: expect.stringMatching(ISO_TIMESTAMP) });
    expectProblem(await patch(`/tasks/${task.id}`, { status: "pending" }), 409, "tracking.invalid_transition");

    const failed = await patch(`/tasks/${other.id}`, { status: "failed", error: "dependency missing" });
    expectOk(failed);
    expect(failed.body).toMatchObject({ status: "failed", error: "dependency missing" });

    expectOk(await del(`/tasks/${task.id}`), 204);
    expectProblem(await get(`/tasks/${task.id}`), 404, "tracking.task_not_found");
    expectProblem(await del(`/tasks/${task.id}`), 404, "tracking.task_not_found");
  });

  it("GET /health lists a task stuck in progress past the window", async () => {
    const t0 = Date.parse("1998-02-02T00:00:00.000Z");
    testClock.set(t0);
    const session = await createSession();
    const task = (await post("/tasks", { sessionId: session.id, title: "hangs", status: "in_progress" })).body as Tracking.TaskInfo;
    testClock.set(t0 + 901_000);
    const health = await get("/health");
    expectOk(health);
    expect(Tracking.HealthSummary.safeParse(health.body).success).toBe(true);
    expect(health.body).toMatchObject({ staleAfterSeconds: 300, stuckAfterSeconds: 900 });
    expect(ids(health.body.stuckTasks)).toContain(task.id);
    expect(ids(health.body.staleSessions)).toContain(session.id);
    expect(health.body.tasks.stuck).toBeGreaterThanOrEqual(1);
    for (const group of [health.body.sessions.byStatus, health.body.tasks.byStatus, health.body.machines.byStatus]) {
      for (const value of Object.values(group)) expect(Number.isInteger(value)).toBe(true);
    }
  });
});

describe("machines and slots", () => {
  it("POST creates, GET reads and lists, PATCH changes, heartbeat revives, DELETE removes", async () => {
    const machine = await createMachine({ metadata: { gpu: false } });
    expect(machine).toMatchObject({ hostname: "worker.local", status: "online", slots: { capacity: 3, used: 0, assignments: [] }, version: 1 });
    const read = await get(`/machines/${machine.id}`);
    expectOk(read);
    expect(read.body).toEqual(machine);
    const online = await listAll<Tracking.MachineInfo>("/machines?status=online&limit=100", "machines");
    expect(ids(online)).toContain(machine.id);

    const offline = await patch(`/machines/${machine.id}`, { status: "offline", capacity: 5 });
    expectOk(offline);
    expect(offline.body).toMatchObject({ status: "offline", slots: { capacity: 5 } });
    expectProblem(await patch(`/machines/${machine.id}`, { status: "draining" }), 409, "tracking.invalid_transition");
    const all = await listAll<Tracking.MachineInfo>("/machines?limit=100", "machines");
    expect(all.find((m) => m.id === machine.id)?.status).toBe("offline");

    testClock.set("2042-02-02T02:02:02.000Z");
    const beat = await post(`/machines/${machine.id}/heartbeat`);
    expectOk(beat);
    expect(beat.body).toMatchObject({ status: "online", lastHeartbeat: "2042-02-02T02:02:02.000Z" });

    expectOk(await del(`/machines/${machine.id}`), 204);
    expectProblem(await get(`/machines/${machine.id}`), 404, "tracking.machine_not_found");
    expectProblem(await post(`/machines/${machine.id}/heartbeat`), 404, "tracking.machine_not_found");
  });

  it("50 concurrent claims on a 3-slot machine: exactly 3 succeed, 47 get 409; a release frees a slot", async () => {
    const machine = await createMachine({ capacity: 3 });
    const sessions = await Promise.all(Array.from({ length: 50 }, () => createSession()));
    const responses = await Promise.all(sessions.map((session) => post(`/machines/${machine.id}/slots`, { sessionId: session.id })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(statuses.filter((status) => status === 409)).toHaveLength(47);
    for (const response of responses.filter((r) => r.status === 409)) expectProblem(response, 409, "tracking.machine_full");

    const after = (await get(`/machines/${machine.id}`)).body as Tracking.MachineInfo;
    expect(after.slots.used).toBe(3);
    const winners = sessions.filter((_, i) => statuses[i] === 201).map((s) => s.id);
    expect(after.slots.assignments.map((a) => a.sessionId).sort()).toEqual(winners.sort());

    // Claiming a slot already held is a no-op 200.
    const again = await post(`/machines/${machine.id}/slots`, { sessionId: winners[0] });
    expectOk(again);
    expect(again.body.slots.used).toBe(3);

    const released = await del(`/machines/${machine.id}/slots/${winners[0]}`);
    expectOk(released);
    expect(released.body.slots.used).toBe(2);
    expectProblem(await del(`/machines/${machine.id}/slots/${winners[0]}`), 404, "tracking.slot_not_found");
    const loser = sessions.find((s) => !winners.includes(s.id))!;
    expectOk(await post(`/machines/${machine.id}/slots`, { sessionId: loser.id }), 201);
    expectProblem(await post(`/machines/${machine.id}/slots`, { sessionId: winners[0] }), 409, "tracking.machine_full");
  });

  it("refuses claims on a draining machine and for unknown machines or sessions", async () => {
    const machine = await createMachine();
    const session = await createSession();
    expectOk(await patch(`/machines/${machine.id}`, { status: "draining" }));
    expectProblem(await post(`/machines/${machine.id}/slots`, { sessionId: session.id }), 409, "tracking.machine_unavailable");
    expectProblem(await post(`/machines/no-such-machine/slots`, { sessionId: session.id }), 404, "tracking.machine_not_found");
    expectProblem(await post(`/machines/${machine.id}/slots`, { sessionId: "no-such-session" }), 404, "tracking.session_not_found");
    expectProblem(await del(`/machines/no-such-machine/slots/${session.id}`), 404, "tracking.machine_not_found");
  });
});

describe("bad input never answers 5xx", () => {
  let session: Tracking.RunInfo;
  let machine: Tracking.MachineInfo;
  beforeAll(async () => {
    session = await createSession();
    machine = await createMachine();
  });

  const cases: [string, () => Promise<ApiResponse>, number, string][] = [
    ["malformed JSON", () => api.post("/api/tracking/sessions", withKey({ body: "{", headers: { "content-type": "application/json" } })), 400, "request.malformed_json"],
    ["a missing projectId", () => post("/sessions", {}), 400, "request.invalid_body"],
    ["a wrong type", () => post("/sessions", { projectId: 42 }), 400, "request.invalid_body"],
    ["a bad session id", () => post("/sessions", { id: "has spaces", projectId: "p" }), 400, "request.invalid_body"],
    ["creating a completed session", () => post("/sessions", { projectId: "p", status: "completed" }), 400, "request.invalid_body"],
    ["an unknown status filter", () => get("/sessions?status=zombie"), 400, "request.invalid_query"],
    ["a non-numeric limit", () => get("/sessions?limit=ten"), 400, "request.invalid_query"],
    ["a zero limit", () => get("/tasks?limit=0"), 400, "request.invalid"],
    ["a limit over 100", () => get("/machines?limit=101"), 400, "request.invalid"],
    ["a garbage cursor", () => get("/sessions?cursor=abc"), 400, "cursor.invalid"],
    ["a cursor for another partition", () => get(`/tasks?sessionId=${session.id}&cursor=${craftCursor({ pk: "RUN#someone-else", sk: "TASK#01ARZ3NDEKTSV4RRFFQ69G5FAV" })}`), 400, "cursor.invalid"],
    ["a stale cursor past the cutoff", () => get(`/sessions?status=stale&cursor=${craftCursor({ pk: "RUN#x", sk: "RUN", gsi2pk: "RUNS_BY_HEARTBEAT", gsi2sk: "2999-01-01T00:00:00.000Z#x" })}`), 400, "cursor.invalid"],
    ["an unknown PATCH field", () => patch(`/sessions/${session.id}`, { colour: "red" }), 400, "request.invalid_body"],
    ["a bad session status", () => patch(`/sessions/${session.id}`, { status: "done" }), 400, "request.invalid_body"],
    ["progress over 100", () => post("/tasks", { sessionId: session.id, title: "t", progress: 150 }), 400, "request.invalid_body"],
    ["fractional progress", () => post("/tasks", { sessionId: session.id, title: "t", progress: 1.5 }), 400, "request.invalid_body"],
    ["an empty title", () => post("/tasks", { sessionId: session.id, title: "  " }), 400, "request.invalid_body"],
    ["failed without an error", () => post("/tasks", { sessionId: session.id, title: "t", status: "failed" }), 400, "request.invalid_body"],
    ["a task in an unknown session", () => post("/tasks", { sessionId: "no-such-session", title: "t" }), 404, "tracking.session_not_found"],
    ["tasks of an unknown session", () => get("/tasks?sessionId=no-such-session"), 404, "tracking.session_not_found"],
    ["an unknown session", () => get("/sessions/no-such-session"), 404, "tracking.session_not_found"],
    ["a malformed task id", () => get("/tasks/not-a-task"), 404, "route.not_found"],
    ["an unknown task", () => get(`/tasks/${session.id}.t01ARZ3NDEKTSV4RRFFQ69G5FAV`), 404, "tracking.task_not_found"],
    ["an unknown machine", () => patch("/machines/no-such-machine", { hostname: "h" }), 404, "tracking.machine_not_found"],
    ["a negative capacity", () => post("/machines", { hostname: "h", capacity: -1 }), 400, "request.invalid_body"],
    ["a huge capacity", () => post("/machines", { hostname: "h", capacity: 1e9 }), 400, "request.invalid_body"],
    ["a claim without a session", () => post(`/machines/${machine.id}/slots`, {}), 400, "request.invalid_body"],
    ["a claim with an array body", () => post(`/machines/${machine.id}/slots`, [session.id]), 400, "request.invalid_body"],
    ["oversized metadata", () => post("/sessions", { projectId: "p", metadata: { blob: "x".repeat(9000) } }), 400, "request.invalid_body"],
    ["a body over 64 KB", () => post("/sessions", { projectId: "p", metadata: { blob: "x".repeat(70_000) } }), 413, "request.too_large"],
    ["a wrong content type", () => api.post("/api/tracking/machines", withKey({ body: "hostname=h", headers: { "content-type": "text/plain" } })), 415, "request.unsupported_media_type"],
    ["a wrong method", () => api.call("PUT", "/api/tracking/sessions", withKey()), 405, "route.method_not_allowed"],
  ];

  it.each(cases)("%s → problem+json", async (_, send, status, code) => {
    const response = await send();
    expectProblem(response, status, code);
    expectNoInternals(response.text);
  });
});
