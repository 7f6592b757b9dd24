import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testClock as clock } from "../../core/test/support/clock";
import { testStackConfig } from "../../../test/env";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import { ApiError, TrackingClient } from "../src/index";

/** TrackingClient against the tracking routes of a real local stack, with the stack's dev API key. */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
});

afterEach(() => {
  clock.reset();
});

afterAll(async () => {
  await stack?.stop();
});

describe("TrackingClient", () => {
  it("registers sessions, tasks and machines, heartbeats, claims slots, finds stale sessions and reads health", async () => {
    const tracking = new TrackingClient({ baseUrl: stack.httpUrl, apiKey: stack.devApiKey });
    const suffix = randomUUID().slice(0, 8);

    const machine = await tracking.createMachine({ id: `m-${suffix}`, hostname: "build-1.local", capacity: 1 });
    expect(machine).toMatchObject({ id: `m-${suffix}`, status: "online", slots: { capacity: 1, used: 0, assignments: [] } });
    const session = await tracking.createSession({ id: `s-${suffix}`, projectId: "web", machineId: machine.id });
    expect(session).toMatchObject({ id: `s-${suffix}`, status: "active", projectId: "web" });
    expect((await tracking.getSession(session.id)).id).toBe(session.id);
    const beat = await tracking.heartbeat(session.id);
    expect(beat.lastHeartbeat >= session.lastHeartbeat).toBe(true);
    expect((await tracking.updateSession(session.id, { metadata: { branch: "main" } })).metadata).toEqual({ branch: "main" });

    const task = await tracking.createTask({ sessionId: session.id, title: "Write the tests" });
    expect(task).toMatchObject({ sessionId: session.id, status: "pending", title: "Write the tests" });
    const started = await tracking.updateTask(task.id, { status: "in_progress", progress: 40 });
    expect(started).toMatchObject({ status: "in_progress", progress: 40, startedAt: expect.any(String) });
    expect((await tracking.getTask(task.id)).progress).toBe(40);
    expect((await tracking.listTasks({ sessionId: session.id })).tasks.map((t) => t.id)).toEqual([task.id]);
    const listed: string[] = [];
    for await (const t of tracking.tasks({ sessionId: session.id, limit: 1 })) listed.push(t.id);
    expect(listed).toEqual([task.id]);

    const claim = await tracking.claimSlot(machine.id, session.id);
    expect(claim.claimed).toBe(true);
    expect(claim.machine.slots).toMatchObject({ used: 1, assignments: [{ sessionId: session.id }] });
    expect((await tracking.claimSlot(machine.id, session.id)).claimed).toBe(false);
    const other = await tracking.createSession({ projectId: "web" });
    const full = await tracking.claimSlot(machine.id, other.id).catch((error: unknown) => error);
    expect(full).toBeInstanceOf(ApiError);
    expect(full).toMatchObject({ status: 409 });
    expect((await tracking.releaseSlot(machine.id, session.id)).slots.used).toBe(0);
    expect((await tracking.machineHeartbeat(machine.id)).status).toBe("online");
    expect((await tracking.updateMachine(machine.id, { status: "draining" })).status).toBe("draining");
    expect((await tracking.getMachine(machine.id)).hostname).toBe("build-1.local");
    expect((await tracking.listMachines({ status: "draining" })).machines.map((m) => m.id)).toContain(machine.id);

    // Ten minutes of silence later, the session is stale.
    clock.set(Date.now() + 10 * 60 * 1000);
    const stale: string[] = [];
    for await (const s of tracking.sessions({ status: "stale", limit: 100 })) stale.push(s.id);
    expect(stale).toContain(session.id);
    expect((await tracking.staleSessions({ limit: 1 })).sessions).toHaveLength(1);
    const health = await tracking.health();
    expect(health.sessions.stale).toBeGreaterThanOrEqual(1);
    expect(health.sessions.byStatus.active).toEqual(expect.any(Number));
    expect(health.tasks.byStatus.in_progress).toBeGreaterThanOrEqual(1);
    clock.reset();

    await tracking.deleteTask(task.id);
    expect(await tracking.getTask(task.id).catch((error: unknown) => (error as ApiError).status)).toBe(404);
    await tracking.deleteSession(session.id);
    await tracking.deleteSession(other.id);
    await tracking.deleteMachine(machine.id);
    const gone = (await tracking.getMachine(machine.id).catch((error: unknown) => error)) as ApiError;
    expect(gone).toBeInstanceOf(ApiError);
    expect(gone.status).toBe(404);
    expect(gone.traceId).toEqual(expect.any(String));

    const wrongKey = new TrackingClient({ baseUrl: stack.httpUrl, apiKey: "ck_not_a_key" });
    expect(await wrongKey.health().catch((error: unknown) => (error as ApiError).status)).toBe(401);
  });
});
