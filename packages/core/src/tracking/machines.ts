import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import * as z from "../zod";
import { assertApiKey } from "../actor";
import { notFound, VisibleError } from "../error";
import { documentClient, tableName } from "../table";
import { fn } from "../util";
import { clock } from "../clock";
import * as Machine from "./machine";
import { machineKeys } from "./keys";
import * as Run from "./run";
import { loadRun } from "./runs";
import { Limit, Metadata, type Page } from "./shared";
import { busy, MAX_ATTEMPTS, pageLists } from "./store";
import { assertTransition, isTerminal, machineTransitions, runTransitions } from "./transitions";

const Hostname = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.trim(), /* @__PURE__ */ z.minLength(1), /* @__PURE__ */ z.maxLength(255));
const Capacity = /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.gte(0), /* @__PURE__ */ z.lte(Machine.MAX_CAPACITY));

export const CreateMachineInput = /* @__PURE__ */ z.object({
  /** A client-chosen id (e.g. a stable host id); generated when absent. */
  id: /* @__PURE__ */ z.optional(Machine.MachineId),
  hostname: Hostname,
  capacity: Capacity,
  status: /* @__PURE__ */ z._default(Machine.MachineStatus, "online"),
  metadata: /* @__PURE__ */ z._default(Metadata, {}),
});

export const createMachine = /* @__PURE__ */ fn(CreateMachineInput, async (input): Promise<Machine.Info> => {
  assertApiKey();
  const now = clock.now();
  const machine: Machine.Info = {
    id: input.id ?? `mch_${ulid()}`,
    hostname: input.hostname,
    status: input.status,
    slots: { capacity: input.capacity, used: 0, assignments: [] },
    lastHeartbeat: now,
    createdAt: now,
    updatedAt: now,
    metadata: input.metadata,
    version: 1,
  };
  try {
    await documentClient.send(
      new PutCommand({ TableName: tableName, Item: Machine.toItem(machine), ConditionExpression: "attribute_not_exists(pk)" }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new VisibleError("conflict", "tracking.machine_exists", `A machine with id ${machine.id} already exists`, undefined, { cause: error });
    }
    throw error;
  }
  return machine;
});

const machineNotFound = () => notFound("Machine", "tracking.machine_not_found");

async function loadMachine(id: string): Promise<Machine.Info> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: machineKeys.key(id), ConsistentRead: true }));
  if (!result.Item) throw machineNotFound();
  return Machine.fromItem(result.Item);
}

export const getMachine = /* @__PURE__ */ fn(Machine.MachineId, async (id) => {
  assertApiKey();
  return loadMachine(id);
});

type MachineFields = Partial<Pick<Machine.Info, "hostname" | "status" | "metadata" | "lastHeartbeat">> & { capacity?: number };

/**
 * Sets some fields of a machine as read, conditioned on its status being
 * unchanged (so transitions are checked against the real current status).
 * It writes only the named attributes: slot claims and releases, which
 * touch `assignments` alone, never conflict with it.
 */
async function modifyMachine(id: string, change: (current: Machine.Info, now: string) => MachineFields): Promise<Machine.Info> {
  for (let attempt = 1; ; attempt++) {
    const current = await loadMachine(id);
    const now = clock.now();
    const fields: Record<string, unknown> = Object.fromEntries(Object.entries({ ...change(current, now), updatedAt: now }).filter(([, value]) => value !== undefined));
    const status = (fields.status as Machine.MachineStatus | undefined) ?? current.status;
    Object.assign(fields, machineKeys.byStatus.attributes({ status, id }));
    const names = Object.fromEntries(Object.keys(fields).map((name) => [`#${name}`, name]));
    try {
      const result = await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: machineKeys.key(id),
          UpdateExpression: `SET ${Object.keys(fields).map((name) => `#${name} = :${name}`).join(", ")} ADD #version :one`,
          ConditionExpression: "attribute_exists(pk) AND #current = :current",
          ExpressionAttributeNames: { ...names, "#version": "version", "#current": "status" },
          ExpressionAttributeValues: {
            ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [`:${name}`, value])),
            ":one": 1,
            ":current": current.status,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Machine.fromItem(result.Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw busy("machine", error);
    }
  }
}

export const UpdateMachineInput = /* @__PURE__ */ z.strictObject({
  id: Machine.MachineId,
  hostname: /* @__PURE__ */ z.optional(Hostname),
  status: /* @__PURE__ */ z.optional(Machine.MachineStatus),
  /** Lowering it below the slots in use frees none: new claims fail until enough are released. */
  capacity: /* @__PURE__ */ z.optional(Capacity),
  /** Replaces the metadata. */
  metadata: /* @__PURE__ */ z.optional(Metadata),
});

export const updateMachine = /* @__PURE__ */ fn(UpdateMachineInput, async (input) => {
  assertApiKey();
  const { id, ...fields } = input;
  return modifyMachine(id, (current) => {
    if (fields.status) assertTransition(machineTransitions, "machine", current.status, fields.status);
    return fields;
  });
});

/** A sign of life; an offline machine that heartbeats is online again (a draining one stays draining). */
export const machineHeartbeat = /* @__PURE__ */ fn(Machine.MachineId, async (id) => {
  assertApiKey();
  return modifyMachine(id, (current, now) => ({ lastHeartbeat: now, ...(current.status === "offline" ? { status: "online" as const } : {}) }));
});

export const removeMachine = /* @__PURE__ */ fn(Machine.MachineId, async (id) => {
  assertApiKey();
  try {
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: machineKeys.key(id), ConditionExpression: "attribute_exists(pk)" }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw machineNotFound();
    throw error;
  }
});

export const ListMachinesInput = /* @__PURE__ */ z.object({
  status: /* @__PURE__ */ z.optional(Machine.MachineStatus),
  limit: Limit,
  cursor: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
});

/** Machines sorted by status then id, or those of one status. */
export const listMachines = /* @__PURE__ */ fn(ListMachinesInput, async (input): Promise<Page<Machine.Info>> => {
  assertApiKey();
  return pageLists([machineKeys.byStatus.list(input.status)], input, Machine.fromItem);
});

export const ClaimSlotInput = /* @__PURE__ */ z.object({ machineId: Machine.MachineId, sessionId: Run.RunId });

/**
 * Gives the session one of the machine's slots: a single conditional
 * UpdateItem (online, fewer assignments than capacity, not already held).
 * DynamoDB applies conditional writes to one item one at a time, so of any
 * number of concurrent claims for the last slot exactly one succeeds.
 * Claiming a slot the session already holds changes nothing.
 */
export const claimSlot = /* @__PURE__ */ fn(ClaimSlotInput, async (input): Promise<{ machine: Machine.Info; claimed: boolean }> => {
  assertApiKey();
  const run = await loadRun(input.sessionId);
  if (isTerminal(runTransitions, run.status)) {
    throw new VisibleError("conflict", "tracking.session_finished", `The session is ${run.status}; it cannot claim a slot`);
  }
  for (let attempt = 1; ; attempt++) {
    const now = clock.now();
    try {
      const result = await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: machineKeys.key(input.machineId),
          UpdateExpression: "SET assignments.#session = :now, updatedAt = :now ADD #version :one",
          ConditionExpression:
            "attribute_exists(pk) AND #status = :online AND size(assignments) < #capacity AND attribute_not_exists(assignments.#session)",
          ExpressionAttributeNames: { "#session": input.sessionId, "#status": "status", "#capacity": "capacity", "#version": "version" },
          ExpressionAttributeValues: { ":now": now, ":online": "online", ":one": 1 },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { machine: Machine.fromItem(result.Attributes ?? {}), claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Which part of the condition failed: read the machine as it is now.
      const machine = await loadMachine(input.machineId);
      if (machine.slots.assignments.some((a) => a.sessionId === input.sessionId)) return { machine, claimed: false };
      if (machine.status !== "online") {
        throw new VisibleError("conflict", "tracking.machine_unavailable", `The machine is ${machine.status}; it takes no new sessions`);
      }
      if (machine.slots.used >= machine.slots.capacity) {
        throw new VisibleError("conflict", "tracking.machine_full", `All ${machine.slots.capacity} slots of the machine are taken`);
      }
      // A slot was released between the claim and the read: try again.
      if (attempt >= MAX_ATTEMPTS) throw busy("machine", error);
    }
  }
});

export const ReleaseSlotInput = ClaimSlotInput;

/** Frees the session's slot on the machine; 404 when the session holds none there. */
export const releaseSlot = /* @__PURE__ */ fn(ReleaseSlotInput, async (input): Promise<Machine.Info> => {
  assertApiKey();
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: machineKeys.key(input.machineId),
        UpdateExpression: "REMOVE assignments.#session SET updatedAt = :now ADD #version :one",
        ConditionExpression: "attribute_exists(assignments.#session)",
        ExpressionAttributeNames: { "#session": input.sessionId, "#version": "version" },
        ExpressionAttributeValues: { ":now": clock.now(), ":one": 1 },
        ReturnValues: "ALL_NEW",
      }),
    );
    return Machine.fromItem(result.Attributes ?? {});
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    await loadMachine(input.machineId);
    throw notFound("Slot", "tracking.slot_not_found");
  }
});
