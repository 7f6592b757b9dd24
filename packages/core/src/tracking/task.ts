import { z } from "zod";
import { idPattern, isoTime } from "./shared";
import { sessionKeys } from "./session";

export const TaskStatus = z.enum(["pending", "in_progress", "blocked", "completed", "failed"]);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Progress = z.number().int().min(0).max(100);

export const Info = z.object({
  id: z.string(),
  sessionId: z.string(),
  title: z.string(),
  status: TaskStatus,
  progress: Progress,
  /** First time it went in_progress. */
  startedAt: z.string().optional(),
  /** When it completed (not set for failed tasks, which carry `error`). */
  completedAt: z.string().optional(),
  /** Why it failed; present exactly when the status is failed. */
  error: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  version: z.number().int().positive(),
});
export type Info = z.infer<typeof Info>;

const ulidPattern = "[0-9A-HJKMNP-TV-Z]{26}";
const taskIdPattern = `${idPattern}\\.t${ulidPattern}`;

/**
 * Task ids embed their session's id (`<sessionId>.t<ULID>`), so a task is one
 * GetItem away from its id with no lookup item, and ids are unique across
 * sessions. Session ids never contain a dot, so the split is unambiguous.
 */
export const taskId = (sessionId: string, ulid: string) => `${sessionId}.t${ulid}`;
export const TaskId = z.string().regex(new RegExp(`^${taskIdPattern}$`), "not a task id");

export function parseTaskId(id: string): { sessionId: string; ulid: string } | undefined {
  const match = new RegExp(`^(${idPattern})\\.t(${ulidPattern})$`).exec(id);
  return match?.[1] && match[2] ? { sessionId: match[1], ulid: match[2] } : undefined;
}

/** Key templates of the task item; the only place that knows them. */
export const taskKeys = {
  /** A task lives in its session's partition, so a session's tasks are one Query and leave with it. */
  partition: (sessionId: string) => sessionKeys.partition(sessionId),
  prefix: "TASK#",
  sort: (ulid: string) => `TASK#${ulid}`,
  key(id: string) {
    const parsed = parseTaskId(id);
    return parsed ? { pk: this.partition(parsed.sessionId), sk: this.sort(parsed.ulid) } : undefined;
  },
  bySession: {
    cursorFormat: (sessionId: string) => ({ pk: new RegExp(`^${escape(sessionKeys.partition(sessionId))}$`), sk: new RegExp(`^TASK#${ulidPattern}$`) }),
  },
  /**
   * byStatus (gsi1): the tasks in one status, least recently updated first,
   * so "in progress and untouched since the cutoff" (stuck) is one Query.
   */
  byStatus: {
    index: "gsi1",
    partition: (status: TaskStatus) => `TASKS#${status}`,
    sort: (task: Info) => `${task.updatedAt}#${task.id}`,
    cursorFormat: (status: TaskStatus) => ({
      pk: new RegExp(`^TSESSION#${idPattern}$`),
      sk: new RegExp(`^TASK#${ulidPattern}$`),
      gsi1pk: new RegExp(`^TASKS#${status}$`),
      gsi1sk: new RegExp(`^${isoTime}#${taskIdPattern}$`),
    }),
  },
};

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function toItem(task: Info) {
  const ulid = parseTaskId(task.id)?.ulid;
  if (!ulid) throw new Error(`not a task id: ${task.id}`);
  return {
    pk: taskKeys.partition(task.sessionId),
    sk: taskKeys.sort(ulid),
    gsi1pk: taskKeys.byStatus.partition(task.status),
    gsi1sk: taskKeys.byStatus.sort(task),
    type: "tracking_task",
    ...task,
  };
}

export function fromItem(item: Record<string, unknown>): Info {
  return Info.parse(item);
}
