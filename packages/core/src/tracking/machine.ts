import * as z from "zod";
import { machineKeys } from "./keys";
import { Id } from "./shared";

export const MachineId = Id;

export const MachineStatus = z.enum(["online", "offline", "draining"]);
export type MachineStatus = z.infer<typeof MachineStatus>;

export const MAX_CAPACITY = 1000;

export const Assignment = z.object({ sessionId: z.string(), claimedAt: z.string() });

export const Info = z.object({
  id: z.string(),
  hostname: z.string(),
  status: MachineStatus,
  /** `capacity` sessions may hold a slot at once; `assignments` are the sessions holding one, oldest claim first. */
  slots: z.object({
    capacity: z.number().int().nonnegative(),
    used: z.number().int().nonnegative(),
    assignments: z.array(Assignment),
  }),
  lastHeartbeat: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  version: z.number().int().positive(),
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

const Stored = z.object({ capacity: z.number().int().nonnegative(), assignments: z.record(z.string(), z.string()) });

export function fromItem(item: Record<string, unknown>): Info {
  const { capacity, assignments } = Stored.parse(item);
  const list = Object.entries(assignments)
    .map(([sessionId, claimedAt]) => ({ sessionId, claimedAt }))
    .sort((a, b) => a.claimedAt.localeCompare(b.claimedAt) || a.sessionId.localeCompare(b.sessionId));
  return Info.parse({ ...item, slots: { capacity, used: list.length, assignments: list } });
}
