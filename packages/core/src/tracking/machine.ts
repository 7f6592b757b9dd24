import * as z from "../zod";
import { machineKeys } from "./keys";
import { Id } from "./shared";

export const MachineId = Id;

export const machineStatuses = ["online", "offline", "draining"] as const;
export const MachineStatus = /* @__PURE__ */ z.enum(machineStatuses);
export type MachineStatus = z.infer<typeof MachineStatus>;

export const MAX_CAPACITY = 1000;

export const Assignment = /* @__PURE__ */ z.object({ sessionId: /* @__PURE__ */ z.string(), claimedAt: /* @__PURE__ */ z.string() });

export const Info = /* @__PURE__ */ z.object({
  id: /* @__PURE__ */ z.string(),
  hostname: /* @__PURE__ */ z.string(),
  status: MachineStatus,
  /** `capacity` sessions may hold a slot at once; `assignments` are the sessions holding one, oldest claim first. */
  slots: /* @__PURE__ */ z.object({
    capacity: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.nonnegative()),
    used: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.nonnegative()),
    assignments: /* @__PURE__ */ z.array(Assignment),
  }),
  lastHeartbeat: /* @__PURE__ */ z.string(),
  createdAt: /* @__PURE__ */ z.string(),
  updatedAt: /* @__PURE__ */ z.string(),
  metadata: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.unknown()),
  version: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.positive()),
});
export type Info = z.infer<typeof Info>;

/** The stored shape: flat `capacity` and an `assignments` map, which the claim condition reads. */
export function toItem(machine: Info) {
  const { slots, ...rest } = machine;
  return {
    ...machineKeys.key(machine.id),
    ...machineKeys.byStatus.attributes(machine),
    type: "tracking_machine",
    ...rest,
    capacity: slots.capacity,
    assignments: Object.fromEntries(slots.assignments.map((a) => [a.sessionId, a.claimedAt])),
  };
}

const Stored = /* @__PURE__ */ z.object({ capacity: /* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.nonnegative()), assignments: /* @__PURE__ */ z.record(/* @__PURE__ */ z.string(), /* @__PURE__ */ z.string()) });

export function fromItem(item: Record<string, unknown>): Info {
  const { capacity, assignments } = Stored.parse(item);
  const list = Object.entries(assignments)
    .map(([sessionId, claimedAt]) => ({ sessionId, claimedAt }))
    .sort((a, b) => a.claimedAt.localeCompare(b.claimedAt) || a.sessionId.localeCompare(b.sessionId));
  return Info.parse({ ...item, slots: { capacity, used: list.length, assignments: list } });
}
