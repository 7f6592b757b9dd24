import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import * as z from "../zod";
import { assertApiKey } from "../actor";
import { notFound, VisibleError } from "../error";
import { batchDelete, documentClient, queryAll, tableName } from "../table";
import { fn } from "../util";
import { clock } from "../clock";
import { trackingConfig } from "./config";
import { runKeys } from "./keys";
import * as Run from "./run";
import { Limit, Metadata, type Page } from "./shared";
import { modifyVersioned, pageLists } from "./store";
import { assertTransition, isTerminal, runTransitions } from "./transitions";

const ProjectId = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.trim(), /* @__PURE__ */ z.minLength(1), /* @__PURE__ */ z.maxLength(128));
const MachineRef = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.regex(/^[A-Za-z0-9_-]{1,64}$/, "not a machine id"));

export const CreateRunInput = /* @__PURE__ */ z.object({
  /** A client-chosen id (e.g. the editor's own session id); generated when absent. */
  id: /* @__PURE__ */ z.optional(Run.RunId),
  projectId: ProjectId,
  machineId: /* @__PURE__ */ z.optional(MachineRef),
  status: /* @__PURE__ */ z._default(/* @__PURE__ */ z.enum(Run.liveStatuses), "active"),
  metadata: /* @__PURE__ */ z._default(Metadata, {}),
});

export const createRun = /* @__PURE__ */ fn(CreateRunInput, async (input): Promise<Run.Info> => {
  assertApiKey();
  const now = clock.now();
  const run: Run.Info = {
    id: input.id ?? `tses_${ulid()}`,
    projectId: input.projectId,
    machineId: input.machineId,
    status: input.status,
    startedAt: now,
    lastHeartbeat: now,
    updatedAt: now,
    metadata: input.metadata,
    version: 1,
  };
  try {
    await documentClient.send(
      new PutCommand({ TableName: tableName, Item: Run.toItem(run), ConditionExpression: "attribute_not_exists(pk)" }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new VisibleError("conflict", "tracking.session_exists", `A session with id ${run.id} already exists`, undefined, { cause: error });
    }
    throw error;
  }
  return run;
});

export async function loadRun(id: string): Promise<Run.Info> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: runKeys.key(id), ConsistentRead: true }),
  );
  if (!result.Item) throw runNotFound();
  return Run.fromItem(result.Item);
}

export const runNotFound = () => notFound("Session", "tracking.session_not_found");

export const getRun = /* @__PURE__ */ fn(Run.RunId, async (id) => {
  assertApiKey();
  return loadRun(id);
});

function modifyRun(id: string, change: (run: Run.Info, now: string) => Run.Info): Promise<Run.Info> {
  return modifyVersioned("session", () => loadRun(id), change, Run.toItem);
}

/** The fields that change with a status: `endedAt` once it is final. */
function withStatus(run: Run.Info, status: Run.RunStatus, now: string): Run.Info {
  assertTransition(runTransitions, "session", run.status, status);
  if (status === run.status) return run;
  return { ...run, status, endedAt: isTerminal(runTransitions, status) ? now : undefined };
}

export const UpdateRunInput = /* @__PURE__ */ z.strictObject({
  id: Run.RunId,
  status: /* @__PURE__ */ z.optional(Run.RunStatus),
  projectId: /* @__PURE__ */ z.optional(ProjectId),
  /** `null` clears it. */
  machineId: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.nullable(MachineRef)),
  /** Replaces the metadata. */
  metadata: /* @__PURE__ */ z.optional(Metadata),
});

export const updateRun = /* @__PURE__ */ fn(UpdateRunInput, async (input) => {
  assertApiKey();
  return modifyRun(input.id, (current, now) => {
    let next = input.status ? withStatus(current, input.status, now) : current;
    const fields: Partial<Run.Info> = {};
    if (input.projectId !== undefined && input.projectId !== current.projectId) fields.projectId = input.projectId;
    if (input.machineId !== undefined && (input.machineId ?? undefined) !== current.machineId) fields.machineId = input.machineId ?? undefined;
    if (input.metadata !== undefined) fields.metadata = input.metadata;
    if (Object.keys(fields).length === 0) return next;
    if (isTerminal(runTransitions, current.status)) {
      throw new VisibleError("conflict", "tracking.session_finished", `The session is ${current.status}; it cannot change any more`);
    }
    next = { ...next, ...fields };
    return next;
  });
});

/**
 * A sign of life: moves lastHeartbeat (and with it the run's place in
 * the heartbeat index) to now. A stale run that heartbeats is active again.
 */
export const runHeartbeat = /* @__PURE__ */ fn(Run.RunId, async (id) => {
  assertApiKey();
  return modifyRun(id, (current, now) => {
    if (isTerminal(runTransitions, current.status)) {
      throw new VisibleError("conflict", "tracking.session_finished", `The session is ${current.status}; it takes no heartbeats`);
    }
    const status = current.status === "stale" ? "active" : current.status;
    return { ...current, status, lastHeartbeat: now };
  });
});

/** Deletes the run and its tasks; children first, so a failure part-way can be retried. */
export const removeRun = /* @__PURE__ */ fn(Run.RunId, async (id) => {
  assertApiKey();
  const keys = (await queryAll(runKeys.wholePartition(id))).map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
  if (!keys.some(runKeys.isRunKey)) throw runNotFound();
  await batchDelete(keys.filter((key) => !runKeys.isRunKey(key)));
  try {
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: runKeys.key(id), ConditionExpression: "attribute_exists(pk)" }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw runNotFound();
    throw error;
  }
});

/** `stale` as a list: stored as stale, or live and silent for longer than the stale window. */
export const ListRunsInput = /* @__PURE__ */ z.object({
  status: /* @__PURE__ */ z.optional(Run.RunStatus),
  limit: Limit,
  cursor: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
});

export const listRuns = /* @__PURE__ */ fn(ListRunsInput, async (input): Promise<Page<Run.Info>> => {
  assertApiKey();
  const statuses = input.status ? [input.status] : Run.RunStatus.options;
  const lists = input.status === "stale" ? staleLists(staleCutoff()) : statuses.map(runKeys.byStatus.ofStatus);
  return pageLists(lists, input, Run.fromItem);
});

/** The time before which a live run's last heartbeat makes it stale. */
export const staleCutoff = () => new Date(clock.nowMs() - trackingConfig.staleAfterSeconds * 1000).toISOString();

/** Stale runs: those stored as stale (newest first), then the silent live ones (longest silent first). */
export const staleLists = (cutoff: string) => [runKeys.byStatus.ofStatus("stale"), runKeys.byHeartbeat.silentSince(cutoff)];
