import { randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import type { VisibleError } from "@coach/core/error";
import { documentClient, tableName } from "@coach/core/table";
import * as Tracking from "@coach/core/tracking";
import { errorOf } from "../support/errors";
import { testClock } from "../support/clock";

const machineClient = <T>(fn: () => Promise<T>) => withActor({ type: "apiKey", keyId: "test-key", name: "test" }, async () => fn());
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Every page of a list, following nextCursor. */
async function all<T>(list: (cursor?: string) => Promise<Tracking.Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);

afterEach(() => testClock.reset());

describe("authorization", () => {
  it("refuses every tracking verb to anyone but an API-key caller", async () => {
    const asUser = (fn: () => Promise<unknown>) => withActor({ type: "user", userId: "u" }, async () => fn());
    expect((await errorOf(asUser(() => Tracking.createRun({ projectId: "p" })))).code).toBe("actor.not_api_key");
    expect((await errorOf(asUser(() => Tracking.listMachines({})))).code).toBe("actor.not_api_key");
    expect((await errorOf(asUser(() => Tracking.health()))).code).toBe("actor.not_api_key");
  });
});

describe("sessions", () => {
  it("creates an active session whose heartbeat starts at creation, and stores it under its keys", async () => {
    testClock.set("2030-01-01T00:00:00.000Z");
    const session = await machineClient(() => Tracking.createRun({ projectId: "proj", machineId: "m1", metadata: { branch: "main" } }));
    expect(session).toEqual({
      id: expect.stringMatching(/^tses_[0-9A-Z]{26}$/),
      projectId: "proj",
      machineId: "m1",
      status: "active",
      startedAt: "2030-01-01T00:00:00.000Z",
      lastHeartbeat: "2030-01-01T00:00:00.000Z",
      updatedAt: "2030-01-01T00:00:00.000Z",
      metadata: { branch: "main" },
      version: 1,
    });
    const item = (await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk: `RUN#${session.id}`, sk: "RUN" } }))).Item;
    expect(item).toMatchObject({
      gsi1pk: "RUNS",
      gsi1sk: `active#2030-01-01T00:00:00.000Z#${session.id}`,
      gsi2pk: "RUNS_BY_HEARTBEAT",
      gsi2sk: `2030-01-01T00:00:00.000Z#${session.id}`,
      type: "tracking_session",
    });
    expect(await machineClient(() => Tracking.getRun(session.id))).toEqual(session);
  });

  it("takes a client-chosen id once", async () => {
    const id = unique("editor");
    await machineClient(() => Tracking.createRun({ id, projectId: "p" }));
    expect((await errorOf(machineClient(() => Tracking.createRun({ id, projectId: "p" })))).code).toBe("tracking.session_exists");
  });

  it("drops a finished session out of the heartbeat index and refuses to reopen it", async () => {
    const session = await machineClient(() => Tracking.createRun({ projectId: "p" }));
    const done = await machineClient(() => Tracking.updateRun({ id: session.id, status: "completed" }));
    expect(done).toMatchObject({ status: "completed", endedAt: expect.any(String), version: 2 });
    const item = (await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk: `RUN#${session.id}`, sk: "RUN" } }))).Item;
    expect(item).toMatchObject({ gsi1pk: "RUNS", gsi1sk: expect.stringMatching(/^completed#/) });
    expect(item?.gsi2pk).toBeUndefined();
    const reopen = await errorOf(machineClient(() => Tracking.updateRun({ id: session.id, status: "active" })));
    expect(reopen).toMatchObject({ kind: "conflict", code: "tracking.invalid_transition" });
    expect((await errorOf(machineClient(() => Tracking.runHeartbeat(session.id)))).code).toBe("tracking.session_finished");
  });

  it("finds stale sessions with one Query on the heartbeat index, as the clock moves", async () => {
    const t0 = Date.parse("2031-03-01T12:00:00.000Z");
    testClock.set(t0);
    const silent = await machineClient(() => Tracking.createRun({ projectId: "stale-test" }));
    const chatty = await machineClient(() => Tracking.createRun({ projectId: "stale-test" }));
    const paused = await machineClient(() => Tracking.createRun({ projectId: "stale-test", status: "paused" }));
    const finished = await machineClient(() => Tracking.createRun({ projectId: "stale-test" }));
    await machineClient(() => Tracking.updateRun({ id: finished.id, status: "failed" }));
    const marked = await machineClient(() => Tracking.createRun({ projectId: "stale-test" }));
    await machineClient(() => Tracking.updateRun({ id: marked.id, status: "stale" }));

    const staleNow = async () => ids(await all((cursor) => machineClient(() => Tracking.listRuns({ status: "stale", cursor, limit: 2 }))));
    // Within the window only the session marked stale is stale.
    testClock.set(t0 + 200_000);
    await machineClient(() => Tracking.runHeartbeat(chatty.id));
    let stale = await staleNow();
    expect(stale).toContain(marked.id);
    expect(stale).not.toContain(silent.id);

    // Past the window (300 s) for everyone but the one that sent a heartbeat at +200 s.
    testClock.set(t0 + 301_000);
    stale = await staleNow();
    expect(stale).toEqual(expect.arrayContaining([marked.id, silent.id, paused.id]));
    expect(stale).not.toContain(chatty.id);
    expect(stale).not.toContain(finished.id);
    expect(stale.filter((id) => id === marked.id)).toHaveLength(1);

    // A heartbeat revives a stale session.
    const revived = await machineClient(() => Tracking.runHeartbeat(marked.id));
    expect(revived).toMatchObject({ status: "active", lastHeartbeat: new Date(t0 + 301_000).toISOString() });
    expect(await staleNow()).not.toContain(marked.id);
  });

  it("lists by status, newest first, and pages across every status when none is given", async () => {
    testClock.set("2032-05-05T00:00:00.000Z");
    const first = await machineClient(() => Tracking.createRun({ projectId: "list" }));
    testClock.advance(1000);
    const second = await machineClient(() => Tracking.createRun({ projectId: "list", status: "paused" }));
    const active = await all((cursor) => machineClient(() => Tracking.listRuns({ status: "active", cursor, limit: 50 })));
    expect(ids(active)).toContain(first.id);
    expect(ids(active)).not.toContain(second.id);
    const everything = ids(await all((cursor) => machineClient(() => Tracking.listRuns({ cursor, limit: 7 }))));
    expect(everything).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(new Set(everything).size).toBe(everything.length);
  });

  it("rejects a cursor of another list", async () => {
    testClock.set("2032-06-06T00:00:00.000Z");
    await machineClient(() => Tracking.createRun({ projectId: "c" }));
    await machineClient(() => Tracking.createRun({ projectId: "c" }));
    const page = await machineClient(() => Tracking.listRuns({ status: "active", limit: 1 }));
    expect(page.nextCursor).toBeDefined();
    expect((await errorOf(machineClient(() => Tracking.listRuns({ status: "paused", cursor: page.nextCursor })))).code).toBe("cursor.invalid");
    expect((await errorOf(machineClient(() => Tracking.listMachines({ cursor: page.nextCursor })))).code).toBe("cursor.invalid");
  });

  it("deletes a session with its tasks", async () => {
    const session = await machineClient(() => Tracking.createRun({ projectId: "p" }));
    const task = await machineClient(() => Tracking.createTask({ sessionId: session.id, title: "t" }));
    await machineClient(() => Tracking.removeRun(session.id));
    expect((await errorOf(machineClient(() => Tracking.getRun(session.id)))).code).toBe("tracking.session_not_found");
    expect((await errorOf(machineClient(() => Tracking.getTask(task.id)))).code).toBe("tracking.task_not_found");
    expect((await errorOf(machineClient(() => Tracking.removeRun(session.id)))).code).toBe("tracking.session_not_found");
  });
});

describe("tasks", () => {
  it("walks a task through its life: started, progress, completed at 100, then final", async () => {
    testClock.set("2033-01-01T00:00:00.000Z");
    const session = await machineClient(() => Tracking.createRun({ projectId: "p" }));
    const task = await machineClient(() => Tracking.createTask({ sessionId: session.id, title: "Write tests" }));
    expect(task).toMatchObject({ sessionId: session.id, status: "pending", progress: 0, version: 1 });
    expect(task.id).toMatch(new RegExp(`^${session.id}\\.t[0-9A-Z]{26}$`));
    testClock.advance(1000);
    const started = await machineClient(() => Tracking.updateTask({ id: task.id, status: "in_progress", progress: 10 }));
    expect(started).toMatchObject({ status: "in_progress", progress: 10, startedAt: "2033-01-01T00:00:01.000Z" });
    const done = await machineClient(() => Tracking.updateTask({ id: task.id, status: "completed" }));
    expect(done).toMatchObject({ status: "completed", progress: 100, completedAt: "2033-01-01T00:00:01.000Z", startedAt: "2033-01-01T00:00:01.000Z", version: 3 });
    const back = await errorOf(machineClient(() => Tracking.updateTask({ id: task.id, status: "pending" })));
    expect(back).toMatchObject({ kind: "conflict", code: "tracking.invalid_transition" });
    expect((await errorOf(machineClient(() => Tracking.updateTask({ id: task.id, progress: 50 })))).code).toBe("tracking.invalid_transition");
    expect(await machineClient(() => Tracking.getTask(task.id))).toEqual(done);
  });

  it("requires an error exactly when failed, and clears it on retry", async () => {
    const session = await machineClient(() => Tracking.createRun({ projectId: "p" }));
    const task = await machineClient(() => Tracking.createTask({ sessionId: session.id, title: "flaky", status: "in_progress" }));
    expect((await errorOf(machineClient(() => Tracking.updateTask({ id: task.id, status: "failed" })))).code).toBe("request.invalid");
    expect((await errorOf(machineClient(() => Tracking.updateTask({ id: task.id, error: "boom" })))).code).toBe("request.invalid");
    const failed = await machineClient(() => Tracking.updateTask({ id: task.id, status: "failed", error: "boom" }));
    expect(failed).toMatchObject({ status: "failed", error: "boom" });
    const retried = await machineClient(() => Tracking.updateTask({ id: task.id, status: "pending" }));
    expect(retried.status).toBe("pending");
    expect(retried.error).toBeUndefined();
    expect((await errorOf(machineClient(() => Tracking.createTask({ sessionId: session.id, title: "x", status: "failed" })))).code).toBe("request.invalid");
    expect((await errorOf(machineClient(() => Tracking.createTask({ sessionId: session.id, title: "x", progress: 101 })))).code).toBe("request.invalid");
  });

  it("lists a session's tasks, filtered by status, and tasks of one status across sessions", async () => {
    const session = await machineClient(() => Tracking.createRun({ projectId: "p" }));
    const a = await machineClient(() => Tracking.createTask({ sessionId: session.id, title: "a" }));
    const b = await machineClient(() => Tracking.createTask({ sessionId: session.id, title: "b", status: "blocked" }));
    const c = await machineClient(() => Tracking.createTask({ sessionId: session.id, title: "c" }));
    const inSession = await all((cursor) => machineClient(() => Tracking.listTasks({ sessionId: session.id, cursor, limit: 2 })));
    expect(ids(inSession)).toEqual([a.id, b.id, c.id]);
    const pending = await all((cursor) => machineClient(() => Tracking.listTasks({ sessionId: session.id, status: "pending", cursor, limit: 1 })));
    expect(ids(pending)).toEqual([a.id, c.id]);
    const blocked = await all((cursor) => machineClient(() => Tracking.listTasks({ status: "blocked", cursor, limit: 100 })));
    expect(ids(blocked)).toContain(b.id);
    expect(ids(blocked)).not.toContain(a.id);
    expect((await errorOf(machineClient(() => Tracking.listTasks({ sessionId: "nope-nope" })))).code).toBe("tracking.session_not_found");
  });

  it("takes no tasks in a finished session", async () => {
    const session = await machineClient(() => Tracking.createRun({ projectId: "p" }));
    await machineClient(() => Tracking.updateRun({ id: session.id, status: "completed" }));
    expect((await errorOf(machineClient(() => Tracking.createTask({ sessionId: session.id, title: "late" })))).code).toBe("tracking.session_finished");
  });
});

describe("machines and slots", () => {
  it("gives out exactly `capacity` slots to concurrent claims, once per session", async () => {
    const machine = await machineClient(() => Tracking.createMachine({ hostname: "box-1", capacity: 3 }));
    const sessions = await Promise.all(Array.from({ length: 12 }, () => machineClient(() => Tracking.createRun({ projectId: "slots" }))));
    const results = await Promise.allSettled(sessions.map((s) => machineClient(() => Tracking.claimSlot({ machineId: machine.id, sessionId: s.id }))));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(3);
    expect(lost.map((r) => (r.reason as VisibleError).code)).toEqual(Array(9).fill("tracking.machine_full"));
    const after = await machineClient(() => Tracking.getMachine(machine.id));
    expect(after.slots).toMatchObject({ capacity: 3, used: 3 });

    const holder = after.slots.assignments[0]!.sessionId;
    const again = await machineClient(() => Tracking.claimSlot({ machineId: machine.id, sessionId: holder }));
    expect(again.claimed).toBe(false);
    const released = await machineClient(() => Tracking.releaseSlot({ machineId: machine.id, sessionId: holder }));
    expect(released.slots.used).toBe(2);
    expect((await errorOf(machineClient(() => Tracking.releaseSlot({ machineId: machine.id, sessionId: holder })))).code).toBe("tracking.slot_not_found");
    const loser = sessions.find((s) => !after.slots.assignments.some((a) => a.sessionId === s.id))!;
    expect((await machineClient(() => Tracking.claimSlot({ machineId: machine.id, sessionId: loser.id }))).claimed).toBe(true);
  });

  it("takes no claims while draining, and comes back online on a heartbeat after going offline", async () => {
    const machine = await machineClient(() => Tracking.createMachine({ hostname: "box-2", capacity: 2 }));
    const session = await machineClient(() => Tracking.createRun({ projectId: "p" }));
    const draining = await machineClient(() => Tracking.updateMachine({ id: machine.id, status: "draining" }));
    expect(draining.status).toBe("draining");
    expect((await errorOf(machineClient(() => Tracking.claimSlot({ machineId: machine.id, sessionId: session.id })))).code).toBe("tracking.machine_unavailable");
    await machineClient(() => Tracking.updateMachine({ id: machine.id, status: "offline" }));
    expect((await errorOf(machineClient(() => Tracking.updateMachine({ id: machine.id, status: "draining" })))).code).toBe("tracking.invalid_transition");
    testClock.set("2034-01-01T00:00:00.000Z");
    const back = await machineClient(() => Tracking.machineHeartbeat(machine.id));
    expect(back).toMatchObject({ status: "online", lastHeartbeat: "2034-01-01T00:00:00.000Z" });
    const online = await all((cursor) => machineClient(() => Tracking.listMachines({ status: "online", cursor, limit: 100 })));
    expect(ids(online)).toContain(machine.id);
    expect((await errorOf(machineClient(() => Tracking.claimSlot({ machineId: "no-such-machine", sessionId: session.id })))).code).toBe("tracking.machine_not_found");
    expect((await errorOf(machineClient(() => Tracking.claimSlot({ machineId: machine.id, sessionId: "no-such-session" })))).code).toBe("tracking.session_not_found");
  });
});

describe("health", () => {
  it("counts by status and lists stale sessions and stuck tasks", async () => {
    const t0 = Date.parse("1999-06-01T00:00:00.000Z");
    testClock.set(t0);
    const silent = await machineClient(() => Tracking.createRun({ projectId: "health" }));
    const task = await machineClient(() => Tracking.createTask({ sessionId: silent.id, title: "hangs", status: "in_progress" }));
    testClock.set(t0 + 3600_000);
    const summary = await machineClient(() => Tracking.health());
    expect(Tracking.HealthSummary.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({ staleAfterSeconds: 300, stuckAfterSeconds: 900, generatedAt: "1999-06-01T01:00:00.000Z" });
    expect(ids(summary.staleSessions)).toContain(silent.id);
    expect(ids(summary.stuckTasks)).toContain(task.id);
    expect(summary.sessions.stale).toBeGreaterThanOrEqual(1);
    expect(summary.tasks.stuck).toBeGreaterThanOrEqual(1);
    expect(summary.sessions.byStatus.active).toBeGreaterThanOrEqual(1);
    expect(summary.tasks.byStatus.in_progress).toBeGreaterThanOrEqual(1);
  });
});
