import * as z from "zod";
import { runKeys } from "./keys";
import { Id, Metadata } from "./shared";

/**
 * A run: one orchestration session registered by a machine client. The
 * tracking API calls it a session; in code it is a run, so it is never
 * confused with a conversation's session.
 */
export const RunId = Id;

export const RunStatus = z.enum(["active", "paused", "stale", "completed", "failed"]);
export type RunStatus = z.infer<typeof RunStatus>;

/** Statuses in which a run is expected to heartbeat, so can go stale by silence. */
export const liveStatuses = ["active", "paused"] as const satisfies readonly RunStatus[];
export const isLive = (status: RunStatus) => (liveStatuses as readonly string[]).includes(status);

export const Info = z.object({
  id: z.string(),
  projectId: z.string(),
  machineId: z.string().optional(),
  status: RunStatus,
  startedAt: z.string(),
  lastHeartbeat: z.string(),
  /** When it reached completed or failed. */
  endedAt: z.string().optional(),
  updatedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  version: z.number().int().positive(),
});
export type Info = z.infer<typeof Info>;

export { Metadata };

export function toItem(run: Info) {
  return {
    ...runKeys.key(run.id),
    ...runKeys.byStatus.attributes(run),
    ...(isLive(run.status) ? runKeys.byHeartbeat.attributes(run) : {}),
    type: "tracking_session",
    ...run,
  };
}

export function fromItem(item: Record<string, unknown>): Info {
  return Info.parse(item);
}
