import * as z from "../zod";
import { runKeys } from "./keys";
import { Id, Metadata } from "./shared";

/**
 * A run: one orchestration session registered by a machine client. The
 * tracking API calls it a session; in code it is a run, so it is never
 * confused with a conversation's session.
 */
export const RunId = Id;

export const runStatuses = ["active", "paused", "stale", "completed", "failed"] as const;
export const RunStatus = /* @__PURE__ */ z.enum(runStatuses);
export type RunStatus = z.infer<typeof RunStatus>;

/** Statuses in which a run is expected to heartbeat, so can go stale by silence. */
export const liveStatuses = ["active", "paused"] as const satisfies readonly RunStatus[];
export const isLive = (status: RunStatus) => (liveStatuses as readonly string[]).includes(status);

export const Info = /* @__PURE__ */ z.object({
  id: /* @__PURE__ */ z.string(),
  projectId: /* @__PURE__ */ z.string(),
  machineId: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  status: RunStatus,
  startedAt: /* @__PURE__ */ z.string(),
  lastHeartbeat: /* @__PURE__ */ z.string(),
  /** When it reached completed or failed. */
  endedAt: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  updatedAt: /* @__PURE__ */ z.string(),
  metadata: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.unknown()),
  version: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.positive()),
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
