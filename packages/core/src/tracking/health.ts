import { z } from "zod";
import { assertApiKey } from "../actor";
import { clock } from "./clock";
import { trackingConfig } from "./config";
import * as Machine from "./machine";
import * as Session from "./session";
import { staleCutoff, staleSegments, statusSegment as sessionStatusSegment } from "./sessions";
import { countQuery, pageSegments, type Segment } from "./store";
import * as Task from "./task";
import { statusSegment as taskStatusSegment, stuckCutoff } from "./tasks";

/** How many stale sessions and stuck tasks the summary lists (the counts are complete). */
export const HEALTH_LIST_LIMIT = 20;

const counts = <S extends string>(statuses: readonly S[]) =>
  z.object(Object.fromEntries(statuses.map((status) => [status, z.number().int().nonnegative()])) as Record<S, z.ZodNumber>);

export const HealthSummary = z.object({
  generatedAt: z.string(),
  staleAfterSeconds: z.number().int(),
  stuckAfterSeconds: z.number().int(),
  sessions: z.object({ byStatus: counts(Session.SessionStatus.options), stale: z.number().int().nonnegative() }),
  tasks: z.object({ byStatus: counts(Task.TaskStatus.options), stuck: z.number().int().nonnegative() }),
  machines: z.object({ byStatus: counts(Machine.MachineStatus.options) }),
  /** Stored as stale first, then live sessions silent the longest. */
  staleSessions: z.array(Session.Info),
  /** In progress and not updated for the longest. */
  stuckTasks: z.array(Task.Info),
});
export type HealthSummary = z.infer<typeof HealthSummary>;

const count = (segment: Segment) => countQuery(segment.query);

/**
 * Counts by status for sessions, tasks and machines, plus the stale sessions
 * and stuck tasks. Each number is one Query with `Select: COUNT` on the
 * index partition that holds exactly those items (the statuses are a fixed,
 * small set); they run in parallel. Never a Scan.
 */
export async function health(): Promise<HealthSummary> {
  assertApiKey();
  const generatedAt = clock.now();
  const staleBefore = staleCutoff();
  const stuckBefore = stuckCutoff();
  const machineKeys = Machine.machineKeys.byStatus;
  const countBy = async <S extends string>(statuses: readonly S[], counter: (status: S) => Promise<number>) =>
    Object.fromEntries(await Promise.all(statuses.map(async (status) => [status, await counter(status)] as const))) as Record<S, number>;
  const stale = staleSegments(staleBefore);
  const stuck = taskStatusSegment("in_progress", stuckBefore);
  const [sessionsByStatus, silent, tasksByStatus, stuckCount, machinesByStatus, staleSessions, stuckTasks] = await Promise.all([
    countBy(Session.SessionStatus.options, (status) => count(sessionStatusSegment(status))),
    count(stale[1]!),
    countBy(Task.TaskStatus.options, (status) => count(taskStatusSegment(status))),
    count(stuck),
    countBy(Machine.MachineStatus.options, (status) =>
      countQuery({
        IndexName: machineKeys.index,
        KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :status)",
        ExpressionAttributeValues: { ":pk": machineKeys.partition, ":status": machineKeys.sortPrefix(status) },
      }),
    ),
    pageSegments(stale, { limit: HEALTH_LIST_LIMIT }, Session.fromItem),
    pageSegments([stuck], { limit: HEALTH_LIST_LIMIT }, Task.fromItem),
  ]);
  return {
    generatedAt,
    staleAfterSeconds: trackingConfig.staleAfterSeconds,
    stuckAfterSeconds: trackingConfig.stuckAfterSeconds,
    sessions: { byStatus: sessionsByStatus, stale: sessionsByStatus.stale + silent },
    tasks: { byStatus: tasksByStatus, stuck: stuckCount },
    machines: { byStatus: machinesByStatus },
    staleSessions: staleSessions.items,
    stuckTasks: stuckTasks.items,
  };
}
