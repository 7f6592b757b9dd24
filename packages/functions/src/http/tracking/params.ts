import * as z from "@coach/core/zod";
import * as Tracking from "@coach/core/tracking";

export { queryInt } from "../shared/query-int";

// Pure: every tracking route imports this module and uses one or two of
// these; esbuild drops the rest instead of building them at cold start.

/** Path and response shapes shared by the tracking routes (`{id}` at every level, as API Gateway wants). */
export const SessionPath = /* @__PURE__ */ z.object({ id: Tracking.RunId });
export const TaskPath = /* @__PURE__ */ z.object({ id: Tracking.TaskId });
export const MachinePath = /* @__PURE__ */ z.object({ id: Tracking.MachineId });
export const SlotPath = /* @__PURE__ */ z.object({ id: Tracking.MachineId, sessionId: Tracking.RunId });

export const SessionPage = /* @__PURE__ */ z.object({ sessions: /* @__PURE__ */ z.array(Tracking.RunInfo), nextCursor: /* @__PURE__ */ z.nullable(/* @__PURE__ */ z.string()) });
export const TaskPage = /* @__PURE__ */ z.object({ tasks: /* @__PURE__ */ z.array(Tracking.TaskInfo), nextCursor: /* @__PURE__ */ z.nullable(/* @__PURE__ */ z.string()) });
export const MachinePage = /* @__PURE__ */ z.object({ machines: /* @__PURE__ */ z.array(Tracking.MachineInfo), nextCursor: /* @__PURE__ */ z.nullable(/* @__PURE__ */ z.string()) });
