import * as z from "zod";
import { taskIdPattern, taskKeys, ulidPattern } from "./keys";
import { idPattern } from "./shared";

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

/**
 * Task ids embed their run's id (`<runId>.t<ULID>`), so a task is one
 * GetItem away from its id with no lookup item, and ids are unique across
 * runs. Run ids never contain a dot, so the split is unambiguous.
 */
export const taskId = (runId: string, ulid: string) => `${runId}.t${ulid}`;
export const TaskId = z.string().regex(new RegExp(`^${taskIdPattern}$`), "not a task id");

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
