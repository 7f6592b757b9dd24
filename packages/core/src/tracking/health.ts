import * as z from "../zod";
import { assertApiKey } from "../actor";
import { queryAll } from "../table";
import { clock } from "../clock";
import { trackingConfig } from "./config";
import * as Machine from "./machine";
import { machineKeys, runKeys, taskKeys } from "./keys";
import * as Run from "./run";
import { staleCutoff } from "./runs";
import * as Task from "./task";
import { stuckCutoff } from "./tasks";

/** How many stale runs and stuck tasks the summary lists (the counts are complete). */
export const HEALTH_LIST_LIMIT = 20;

const counts = <S extends string>(statuses: readonly S[]) =>
  z.object(Object.fromEntries(statuses.map((status) => [status, z.number().check(z.int(), z.nonnegative())])) as Record<S, z.ZodMiniNumber<number>>);

// Pure: only the health route uses it; the other tracking routes drop it.
export const HealthSummary = /* @__PURE__ */ z.object({
  generatedAt: /* @__PURE__ */ z.string(),
  staleAfterSeconds: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int()),
  stuckAfterSeconds: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int()),
  sessions: /* @__PURE__ */ z.object({ byStatus: /* @__PURE__ */ counts(Run.runStatuses), stale: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.nonnegative()) }),
  tasks: /* @__PURE__ */ z.object({ byStatus: /* @__PURE__ */ counts(Task.taskStatuses), stuck: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.nonnegative()) }),
  machines: /* @__PURE__ */ z.object({ byStatus: /* @__PURE__ */ counts(Machine.machineStatuses) }),
  /** Stored as stale first, then live runs silent the longest. */
  staleSessions: /* @__PURE__ */ z.array(Run.Info),
  /** In progress and not updated for the longest. */
  stuckTasks: /* @__PURE__ */ z.array(Task.Info),
});
export type HealthSummary = z.infer<typeof HealthSummary>;

const countBy = <S extends string>(statuses: readonly S[], items: readonly { status: S }[]) =>
  Object.fromEntries(statuses.map((status) => [status, items.filter((item) => item.status === status).length])) as Record<S, number>;

/**
 * Counts by status for runs, tasks and machines, plus the stale runs and
 * stuck tasks: one Query per entity on the status index partition that holds
 * every item of it, run in parallel, and the rest worked out from what they
 * read. (`Select: COUNT` would read the same items, at one Query per status.)
 * Never a Scan.
 */
export async function health(): Promise<HealthSummary> {
  assertApiKey();
  const generatedAt = clock.now();
  const staleBefore = staleCutoff();
  const stuckBefore = stuckCutoff();
  const [runItems, taskItems, machineItems] = await Promise.all([
    queryAll(runKeys.byStatus.all()),
    queryAll(taskKeys.byStatus.all()),
    queryAll(machineKeys.byStatus.all()),
  ]);
  const runs = runItems.map(Run.fromItem);
  const tasks = taskItems.map(Task.fromItem);
  const machines = machineItems.map(Machine.fromItem);
  const storedStale = runs.filter((run) => run.status === "stale").sort(runKeys.byStatus.order);
  const silent = runs.filter((run) => Run.isLive(run.status) && run.lastHeartbeat < staleBefore).sort(runKeys.byHeartbeat.order);
  const stuck = tasks.filter((task) => task.status === "in_progress" && task.updatedAt < stuckBefore).sort(taskKeys.byStatus.order);
  const runsByStatus = countBy(Run.RunStatus.options, runs);
  return {
    generatedAt,
    staleAfterSeconds: trackingConfig.staleAfterSeconds,
    stuckAfterSeconds: trackingConfig.stuckAfterSeconds,
    sessions: { byStatus: runsByStatus, stale: runsByStatus.stale + silent.length },
    tasks: { byStatus: countBy(Task.TaskStatus.options, tasks), stuck: stuck.length },
    machines: { byStatus: countBy(Machine.MachineStatus.options, machines) },
    staleSessions: [...storedStale, ...silent].slice(0, HEALTH_LIST_LIMIT),
    stuckTasks: stuck.slice(0, HEALTH_LIST_LIMIT),
  };
}
