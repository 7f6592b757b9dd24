import { z } from "zod";
import { Id, idPattern, isoTime, Metadata } from "./shared";

export const SessionId = Id;

export const SessionStatus = z.enum(["active", "paused", "stale", "completed", "failed"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Statuses in which a session is expected to heartbeat, so can go stale by silence. */
export const liveStatuses = ["active", "paused"] as const satisfies readonly SessionStatus[];
export const isLive = (status: SessionStatus) => (liveStatuses as readonly string[]).includes(status);

/** An orchestration session registered by a machine client. */
export const Info = z.object({
  id: z.string(),
  projectId: z.string(),
  machineId: z.string().optional(),
  status: SessionStatus,
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

/**
 * Key templates of the tracking session item; the only place that knows them.
 * Its tasks live in the same partition (see task.ts).
 */
export const sessionKeys = {
  partition: (id: string) => `TSESSION#${id}`,
  sort: "TSESSION",
  /** byStatus (gsi1): the sessions in one status, newest start first. */
  byStatus: {
    index: "gsi1",
    partition: (status: SessionStatus) => `TSESSIONS#${status}`,
    sort: (session: Info) => `${session.startedAt}#${session.id}`,
    cursorFormat: (status: SessionStatus) => ({
      pk: new RegExp(`^TSESSION#${idPattern}$`),
      sk: /^TSESSION$/,
      gsi1pk: new RegExp(`^TSESSIONS#${status}$`),
      gsi1sk: new RegExp(`^${isoTime}#${idPattern}$`),
    }),
  },
  /**
   * byHeartbeat (gsi2): live (active, paused) sessions only, oldest heartbeat
   * first, so "silent since the cutoff" is one Query with `gsi2sk < :cutoff`.
   * Sessions in any other status carry no gsi2 attributes and drop out of the
   * index. All live sessions share one index partition: a hot-partition risk
   * past roughly 1,000 heartbeats a second; shard the partition
   * (`TSESSION_HEARTBEAT#<n>`, queried in parallel) if a deployment gets there.
   */
  byHeartbeat: {
    index: "gsi2",
    partition: "TSESSION_HEARTBEAT",
    sort: (session: Info) => `${session.lastHeartbeat}#${session.id}`,
    cursorFormat: {
      pk: new RegExp(`^TSESSION#${idPattern}$`),
      sk: /^TSESSION$/,
      gsi2pk: /^TSESSION_HEARTBEAT$/,
      gsi2sk: new RegExp(`^${isoTime}#${idPattern}$`),
    },
  },
} as const;

export function toItem(session: Info) {
  return {
    pk: sessionKeys.partition(session.id),
    sk: sessionKeys.sort,
    gsi1pk: sessionKeys.byStatus.partition(session.status),
    gsi1sk: sessionKeys.byStatus.sort(session),
    ...(isLive(session.status) ? { gsi2pk: sessionKeys.byHeartbeat.partition, gsi2sk: sessionKeys.byHeartbeat.sort(session) } : {}),
    type: "tracking_session",
    ...session,
  };
}

export function fromItem(item: Record<string, unknown>): Info {
  return Info.parse(item);
}
