import * as z from "zod";
import * as Tracking from "@coach/core/tracking";

export { queryInt } from "../sessions/params";

/** Path and response shapes shared by the tracking routes (`{id}` at every level, as API Gateway wants). */
export const SessionPath = z.object({ id: Tracking.RunId });
export const TaskPath = z.object({ id: Tracking.TaskId });
export const MachinePath = z.object({ id: Tracking.MachineId });
export const SlotPath = z.object({ id: Tracking.MachineId, sessionId: Tracking.RunId });

export const SessionPage = z.object({ sessions: z.array(Tracking.RunInfo), nextCursor: z.string().nullable() });
export const TaskPage = z.object({ tasks: z.array(Tracking.TaskInfo), nextCursor: z.string().nullable() });
export const MachinePage = z.object({ machines: z.array(Tracking.MachineInfo), nextCursor: z.string().nullable() });
