import { z } from "zod";
import { Id, idPattern } from "./shared";

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

/**
 * Key templates of the machine item; the only place that knows them. Slot
 * assignments live on the machine item itself (`assignments`: a map from
 * session id to claim time, beside `capacity`), so a claim is one
 * conditional UpdateItem that DynamoDB serializes per item: two claims for
 * the last slot can never both succeed.
 */
export const machineKeys = {
  partition: (id: string) => `MACHINE#${id}`,
  sort: "MACHINE",
  /**
   * byStatus (gsi1): every machine in one partition, sorted by status then
   * id, so "all machines", "machines in one status" and a count per status
   * are each one Query. One partition suits a fleet of thousands of machines.
   */
  byStatus: {
    index: "gsi1",
    partition: "MACHINES",
    sortPrefix: (status: MachineStatus) => `${status}#`,
    sort: (status: MachineStatus, id: string) => `${status}#${id}`,
    cursorFormat: (status?: MachineStatus) => ({
      pk: new RegExp(`^MACHINE#${idPattern}$`),
      sk: /^MACHINE$/,
      gsi1pk: /^MACHINES$/,
      gsi1sk: new RegExp(`^${status ?? "(online|offline|draining)"}#${idPattern}$`),
    }),
  },
} as const;

/** The stored shape: flat `capacity` and an `assignments` map, which the claim condition reads. */
export function toItem(machine: Info) {
  const { slots, ...rest } = machine;
  return {
    pk: machineKeys.partition(machine.id),
    sk: machineKeys.sort,
    gsi1pk: machineKeys.byStatus.partition,
    gsi1sk: machineKeys.byStatus.sort(machine.status, machine.id),
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
