import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import * as z from "../zod";
import { assertApiKey } from "../actor";
import { notFound, VisibleError } from "../error";
import { documentClient, tableName } from "../table";
import { fn } from "../util";
import { clock } from "../clock";
import { trackingConfig } from "./config";
import { taskKeys } from "./keys";
import * as Run from "./run";
import { loadRun } from "./runs";
import { Limit, Metadata, type Page } from "./shared";
import { modifyVersioned, pageLists } from "./store";
import * as Task from "./task";
import { assertTransition, isTerminal, runTransitions, taskTransitions } from "./transitions";

const Title = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.trim(), /* @__PURE__ */ z.minLength(1), /* @__PURE__ */ z.maxLength(500));
const ErrorText = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.trim(), /* @__PURE__ */ z.minLength(1), /* @__PURE__ */ z.maxLength(4000));

/**
 * `progress` is 0–100 and 100 once completed; `error` comes with, and only
 * with, the failed status.
 */
function fieldProblems(task: { status: Task.TaskStatus; progress?: number; error?: string }): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (task.status === "failed" && task.error === undefined) problems.push({ path: "error", message: "a failed task needs an error" });
  if (task.status !== "failed" && task.error !== undefined) problems.push({ path: "error", message: "only a failed task has an error" });
  if (task.status === "completed" && task.progress !== undefined && task.progress !== 100) {
    problems.push({ path: "progress", message: "a completed task is at 100" });
  }
  return problems;
}

function checkFields(task: { status: Task.TaskStatus; progress?: number; error?: string }, ctx: z.core.$RefinementCtx) {
  for (const problem of fieldProblems(task)) ctx.addIssue({ code: "custom", path: [problem.path], message: problem.message });
}

export const CreateTaskInput = /* @__PURE__ */ z
  .object({
    sessionId: Run.RunId,
    title: Title,
    status: /* @__PURE__ */ z._default(Task.TaskStatus, "pending"),
    progress: /* @__PURE__ */ z.optional(Task.Progress),
    error: /* @__PURE__ */ z.optional(ErrorText),
    metadata: /* @__PURE__ */ z._default(Metadata, {}),
  })
  .check(/* @__PURE__ */ z.superRefine(checkFields));

export const createTask = /* @__PURE__ */ fn(CreateTaskInput, async (input): Promise<Task.Info> => {
  assertApiKey();
  const run = await loadRun(input.sessionId);
  if (isTerminal(runTransitions, run.status)) {
    throw new VisibleError("conflict", "tracking.session_finished", `The session is ${run.status}; it takes no new tasks`);
  }
  const now = clock.now();
  const task: Task.Info = {
    id: Task.taskId(run.id, ulid()),
    sessionId: run.id,
    title: input.title,
    status: input.status,
    progress: input.status === "completed" ? 100 : (input.progress ?? 0),
    startedAt: input.status === "in_progress" ? now : undefined,
    completedAt: input.status === "completed" ? now : undefined,
    error: input.error,
    createdAt: now,
    updatedAt: now,
    metadata: input.metadata,
    version: 1,
  };
  await documentClient.send(new PutCommand({ TableName: tableName, Item: Task.toItem(task), ConditionExpression: "attribute_not_exists(pk)" }));
  return task;
});

const taskNotFound = () => notFound("Task", "tracking.task_not_found");

async function loadTask(id: string): Promise<Task.Info> {
  const key = Task.keyOf(id);
  if (!key) throw taskNotFound();
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  if (!result.Item) throw taskNotFound();
  return Task.fromItem(result.Item);
}

export const getTask = /* @__PURE__ */ fn(Task.TaskId, async (id) => {
  assertApiKey();
  return loadTask(id);
});

export const UpdateTaskInput = /* @__PURE__ */ z.strictObject({
  id: Task.TaskId,
  status: /* @__PURE__ */ z.optional(Task.TaskStatus),
  progress: /* @__PURE__ */ z.optional(Task.Progress),
  error: /* @__PURE__ */ z.optional(ErrorText),
  title: /* @__PURE__ */ z.optional(Title),
  /** Replaces the metadata. */
  metadata: /* @__PURE__ */ z.optional(Metadata),
});

/**
 * Changes a task under its version. The status change must be allowed by
 * the transition table (409 otherwise); a completed task is final.
 */
export const updateTask = /* @__PURE__ */ fn(UpdateTaskInput, async (input): Promise<Task.Info> => {
  assertApiKey();
  return modifyVersioned("task", () => loadTask(input.id), (current, now) => applyUpdate(current, input, now), Task.toItem);
});

/** The next state of a task under an update, or `current` itself when nothing changes. Pure. */
export function applyUpdate(current: Task.Info, input: Omit<z.output<typeof UpdateTaskInput>, "id">, now: string): Task.Info {
  const status = input.status ?? current.status;
  assertTransition(taskTransitions, "task", current.status, status);
  const changes = input.status !== undefined || input.progress !== undefined || input.error !== undefined || input.title !== undefined || input.metadata !== undefined;
  if (!changes) return current;
  if (isTerminal(taskTransitions, current.status)) {
    throw new VisibleError("conflict", "tracking.invalid_transition", `A task cannot change once it is ${current.status}`);
  }
  const entering = status !== current.status;
  // Leaving failed (a retry) drops the old error; staying failed keeps it unless replaced.
  const error = status === "failed" ? (input.error ?? (entering ? undefined : current.error)) : input.error;
  const problems = fieldProblems({ status, progress: input.progress, error });
  if (problems.length > 0) {
    const summary = problems.map((problem) => `${problem.path}: ${problem.message}`).join("; ");
    throw new VisibleError("invalid", "request.invalid", `Invalid input: ${summary}`, { issues: problems });
  }
  return {
    ...current,
    status,
    title: input.title ?? current.title,
    metadata: input.metadata ?? current.metadata,
    progress: status === "completed" ? 100 : (input.progress ?? (entering && status === "pending" ? 0 : current.progress)),
    error,
    startedAt: current.startedAt ?? (status === "in_progress" ? now : undefined),
    completedAt: status === "completed" ? now : undefined,
  };
}

export const removeTask = /* @__PURE__ */ fn(Task.TaskId, async (id) => {
  assertApiKey();
  const key = Task.keyOf(id);
  if (!key) throw taskNotFound();
  try {
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: key, ConditionExpression: "attribute_exists(pk)" }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw taskNotFound();
    throw error;
  }
});

/**
 * Tasks of a run (its partition, in creation order), optionally of one
 * status (a filter within that one partition); or tasks of one status across
 * runs (the status index, least recently updated first); or all tasks
 * (the status index, status by status).
 */
export const ListTasksInput = /* @__PURE__ */ z.object({
  sessionId: /* @__PURE__ */ z.optional(Run.RunId),
  status: /* @__PURE__ */ z.optional(Task.TaskStatus),
  limit: Limit,
  cursor: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
});

export const listTasks = /* @__PURE__ */ fn(ListTasksInput, async (input): Promise<Page<Task.Info>> => {
  assertApiKey();
  if (input.sessionId !== undefined) {
    await loadRun(input.sessionId);
    return pageLists([taskKeys.ofRun(input.sessionId, input.status)], input, Task.fromItem);
  }
  const statuses = input.status ? [input.status] : Task.TaskStatus.options;
  return pageLists(statuses.map((status) => taskKeys.byStatus.ofStatus(status)), input, Task.fromItem);
});

/** The time before which an in-progress task's last update makes it stuck. */
export const stuckCutoff = () => new Date(clock.nowMs() - trackingConfig.stuckAfterSeconds * 1000).toISOString();
