/**
 * A machine client of the state-tracking API through the typed client:
 * register a machine and an orchestration session, claim a slot, report a
 * task's progress with heartbeats, then read the health summary.
 *
 *   pnpm start                                  # in one terminal; it prints the dev API key
 *   COACH_API_KEY=$(cat .data/dev-api-key) pnpm tsx examples/tracking.ts
 *
 * COACH_URL (http://127.0.0.1:3000) points it elsewhere.
 */
import { ApiError, TrackingClient } from "@coach/client";

const apiKey = process.env.COACH_API_KEY;
if (!apiKey) {
  console.error("Set COACH_API_KEY (the dev key `pnpm start` prints, or one from `pnpm apikey`)");
  process.exit(1);
}
const tracking = new TrackingClient({ baseUrl: process.env.COACH_URL ?? "http://127.0.0.1:3000", apiKey });

const machine = await tracking.createMachine({ hostname: "example-host", capacity: 2 });
const session = await tracking.createSession({ projectId: "example", machineId: machine.id });
const { claimed } = await tracking.claimSlot(machine.id, session.id);
console.log(`machine ${machine.id} (capacity ${machine.slots.capacity}), session ${session.id}, slot claimed: ${claimed}`);

const task = await tracking.createTask({ sessionId: session.id, title: "Refactor the parser" });
for (const progress of [25, 50, 75]) {
  await tracking.updateTask(task.id, { status: "in_progress", progress });
  await tracking.heartbeat(session.id);
  console.log(`  task ${task.id}: ${progress}%`);
}
await tracking.updateTask(task.id, { status: "completed", progress: 100 });
await tracking.updateSession(session.id, { status: "completed" });
try {
  await tracking.heartbeat(session.id);
} catch (error) {
  if (!(error instanceof ApiError)) throw error;
  console.log(`  a heartbeat after completion: ${error.status} ${error.code} (trace ${error.traceId})`);
}

const health = await tracking.health();
console.log("health:", JSON.stringify({ sessions: health.sessions, tasks: health.tasks, machines: health.machines }));

await tracking.releaseSlot(machine.id, session.id);
await tracking.deleteSession(session.id);
await tracking.deleteMachine(machine.id);
console.log("cleaned up");
