import type { CursorBinding } from "../cursor";
import type { PagedQuery } from "../table";
import { idPattern, isoTime } from "./shared";

/**
 * Every key template of the tracking family (runs, their tasks, machines),
 * its indexes and its cursor formats; the only place in tracking that knows
 * a key attribute or a key string. Use cases ask for a key or a query by
 * access pattern.
 *
 * Each entity has one index partition for its status index, sorted by status
 * first, so a list of one status is a `begins_with` Query and the health
 * summary reads each entity's whole index partition in one Query. One
 * partition per entity is a hot-partition risk past roughly 1,000 writes a
 * second; shard it (`RUNS#<n>`, read in parallel) if a deployment gets there.
 */

/** One list Query and the exact key a cursor into it may hold; `accept` checks what a regex cannot. */
export interface ListQuery {
  query: PagedQuery;
  cursorFormat: CursorBinding;
  accept?: (key: Record<string, string>) => boolean;
}

export const ulidPattern = "[0-9A-HJKMNP-TV-Z]{26}";
export const taskIdPattern = `${idPattern}\\.t${ulidPattern}`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const runPartition = (id: string) => `RUN#${id}`;
const RUN_SORT = "RUN";
const TASK_PREFIX = "TASK#";

export const runKeys = {
  key: (id: string) => ({ pk: runPartition(id), sk: RUN_SORT }),
  isRunKey: (key: { sk: string }) => key.sk === RUN_SORT,
  /** The run with its tasks: everything that leaves with it. */
  wholePartition: (id: string): PagedQuery => ({
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": runPartition(id) },
    ProjectionExpression: "pk, sk",
  }),
  /** byStatus (gsi1): every run, by status, then newest start first within one. */
  byStatus: {
    attributes: (run: { status: string; startedAt: string; id: string }) => ({ gsi1pk: "RUNS", gsi1sk: `${run.status}#${run.startedAt}#${run.id}` }),
    /** Every run, for counting by status. */
    all: (): PagedQuery => ({ IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :pk", ExpressionAttributeValues: { ":pk": "RUNS" } }),
    ofStatus: (status: string): ListQuery => ({
      query: {
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :status)",
        ExpressionAttributeValues: { ":pk": "RUNS", ":status": `${status}#` },
        ScanIndexForward: false,
      },
      cursorFormat: {
        attributes: {
          pk: new RegExp(`^RUN#${idPattern}$`),
          sk: /^RUN$/,
          gsi1pk: /^RUNS$/,
          gsi1sk: new RegExp(`^${status}#${isoTime}#${idPattern}$`),
        },
        equals: { gsi1pk: "RUNS" },
      },
    }),
    /** Newest start first, as `ofStatus` returns them. */
    order: (a: { startedAt: string; id: string }, b: { startedAt: string; id: string }) =>
      `${b.startedAt}#${b.id}`.localeCompare(`${a.startedAt}#${a.id}`),
  },
  /**
   * byHeartbeat (gsi2): live (active, paused) runs only, oldest heartbeat
   * first, so "silent since the cutoff" is one Query with `gsi2sk < :cutoff`.
   * Runs in any other status carry no gsi2 attributes and drop out of the index.
   */
  byHeartbeat: {
    attributes: (run: { lastHeartbeat: string; id: string }) => ({ gsi2pk: "RUNS_BY_HEARTBEAT", gsi2sk: `${run.lastHeartbeat}#${run.id}` }),
    silentSince: (cutoff: string): ListQuery => ({
      query: {
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :pk AND gsi2sk < :cutoff",
        ExpressionAttributeValues: { ":pk": "RUNS_BY_HEARTBEAT", ":cutoff": cutoff },
      },
      cursorFormat: {
        attributes: { pk: new RegExp(`^RUN#${idPattern}$`), sk: /^RUN$/, gsi2pk: /^RUNS_BY_HEARTBEAT$/, gsi2sk: new RegExp(`^${isoTime}#${idPattern}$`) },
        equals: { gsi2pk: "RUNS_BY_HEARTBEAT" },
      },
      accept: (key) => (key.gsi2sk ?? "") < cutoff,
    }),
    /** Oldest heartbeat first, as `silentSince` returns them. */
    order: (a: { lastHeartbeat: string; id: string }, b: { lastHeartbeat: string; id: string }) =>
      `${a.lastHeartbeat}#${a.id}`.localeCompare(`${b.lastHeartbeat}#${b.id}`),
  },
};

/** A task lives in its run's partition, so a run's tasks are one Query and leave with it. */
export const taskKeys = {
  key: (runId: string, ulid: string) => ({ pk: runPartition(runId), sk: `${TASK_PREFIX}${ulid}` }),
  /** byRun (the table): a run's tasks in creation order, optionally of one status (a filter within that one partition). */
  ofRun: (runId: string, status?: string): ListQuery => ({
    query: {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ...(status ? { FilterExpression: "#status = :status", ExpressionAttributeNames: { "#status": "status" } } : {}),
      ExpressionAttributeValues: { ":pk": runPartition(runId), ":prefix": TASK_PREFIX, ...(status ? { ":status": status } : {}) },
    },
    cursorFormat: {
      attributes: { pk: new RegExp(`^${escape(runPartition(runId))}$`), sk: new RegExp(`^TASK#${ulidPattern}$`) },
      equals: { pk: runPartition(runId) },
    },
  }),
  /** byStatus (gsi1): every task, by status, then least recently updated first within one. */
  byStatus: {
    attributes: (task: { status: string; updatedAt: string; id: string }) => ({ gsi1pk: "TASKS", gsi1sk: `${task.status}#${task.updatedAt}#${task.id}` }),
    all: (): PagedQuery => ({ IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :pk", ExpressionAttributeValues: { ":pk": "TASKS" } }),
    /** `before`: only those last updated before it (in_progress ones are then the stuck tasks). */
    ofStatus: (status: string, before?: string): ListQuery => ({
      query: {
        IndexName: "gsi1",
        KeyConditionExpression: before ? "gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to" : "gsi1pk = :pk AND begins_with(gsi1sk, :from)",
        ExpressionAttributeValues: { ":pk": "TASKS", ":from": `${status}#`, ...(before ? { ":to": `${status}#${before}` } : {}) },
      },
      cursorFormat: {
        attributes: {
          pk: new RegExp(`^RUN#${idPattern}$`),
          sk: new RegExp(`^TASK#${ulidPattern}$`),
          gsi1pk: /^TASKS$/,
          gsi1sk: new RegExp(`^${status}#${isoTime}#${taskIdPattern}$`),
        },
        equals: { gsi1pk: "TASKS" },
      },
      accept: before ? (key) => (key.gsi1sk ?? "") < `${status}#${before}` : undefined,
    }),
    /** Least recently updated first, as `ofStatus` returns them. */
    order: (a: { updatedAt: string; id: string }, b: { updatedAt: string; id: string }) =>
      `${a.updatedAt}#${a.id}`.localeCompare(`${b.updatedAt}#${b.id}`),
  },
};

/**
 * Slot assignments live on the machine item itself, so a claim is one
 * conditional UpdateItem that DynamoDB serializes per item.
 */
export const machineKeys = {
  key: (id: string) => ({ pk: `MACHINE#${id}`, sk: "MACHINE" }),
  /**
   * byStatus (gsi1): every machine in one partition, sorted by status then
   * id, so "all machines", "machines in one status" and a count per status
   * are each one Query. One partition suits a fleet of thousands of machines.
   */
  byStatus: {
    attributes: (machine: { status: string; id: string }) => ({ gsi1pk: "MACHINES", gsi1sk: `${machine.status}#${machine.id}` }),
    all: (): PagedQuery => ({ IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :pk", ExpressionAttributeValues: { ":pk": "MACHINES" } }),
    /** All machines, or those of one status. */
    list: (status?: string): ListQuery => ({
      query: {
        IndexName: "gsi1",
        KeyConditionExpression: status ? "gsi1pk = :pk AND begins_with(gsi1sk, :status)" : "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": "MACHINES", ...(status ? { ":status": `${status}#` } : {}) },
      },
      cursorFormat: {
        attributes: {
          pk: new RegExp(`^MACHINE#${idPattern}$`),
          sk: /^MACHINE$/,
          gsi1pk: /^MACHINES$/,
          gsi1sk: new RegExp(`^${status ?? "(online|offline|draining)"}#${idPattern}$`),
        },
        equals: { gsi1pk: "MACHINES" },
      },
    }),
  },
};
