import * as z from "../zod";
import { taskIdPattern, taskKeys, ulidPattern } from "./keys";
import { idPattern } from "./shared";

export const taskStatuses = ["pending", "in_progress", "blocked", "completed", "failed"] as const;
export const TaskStatus = /* @__PURE__ */ z.enum(taskStatuses);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Progress = /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.gte(0), /* @__PURE__ */ z.lte(100));

export const Info = /* @__PURE__ */ z.object({
  id: /* @__PURE__ */ z.string(),
  sessionId: /* @__PURE__ */ z.string(),
  title: /* @__PURE__ */ z.string(),
  status: TaskStatus,
  progress: Progress,
  /** First time it went in_progress. */
  startedAt: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  /** When it completed (not set for failed tasks, which carry `error`). */
  completedAt: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  /** Why it failed; present exactly when the status is failed. */
  error: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  createdAt: /* @__PURE__ */ z.string(),
  updatedAt: /* @__PURE__ */ z.string(),
  metadata: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.unknown()),
  version: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.positive()),
});
export type Info = z.infer<typeof Info>;

/**
 * Task ids embed their run's id (`<runId>.t<ULID>`), so a task is one
 * GetItem away from its id with no lookup item, and ids are unique across
 * runs. Run ids never contain a dot, so the split is unambiguous.
 */
export const taskId = (runId: string, ulid: string) => `${runId}.t${ulid}`;
export const TaskId = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.regex(/* @__PURE__ */ new RegExp(`^${taskIdPattern}$`), "not a task id"));

export function parseTaskId(id: string): { runId: string; ulid: string } | undefined {
  const match = new RegExp(`^(${idPattern})\\.t(${ulidPattern})$`).exec(id);
  return match?.[1] && match[2] ? { runId: match[1], ulid: match[2] } : undefined;
}

/** The task's table key, when `id` is a task id. */
export function keyOf(id: string) {
  const parsed = parseTaskId(id);
  return parsed ? taskKeys.key(parsed.runId, parsed.ulid) : undefined;
}

export function toItem(task: Info) {
  const key = keyOf(task.id);
  if (!key) throw new Error(`not a task id: ${task.id}`);
  return {
    ...key,
    ...taskKeys.byStatus.attributes(task),
    type: "tracking_task",
    ...task,
  };
}

export function fromItem(item: Record<string, unknown>): Info {
  return Info.parse(item);
}
