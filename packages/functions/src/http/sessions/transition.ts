import * as z from "@coach/core/zod";
import * as Flow from "@coach/core/flow";
import { flows } from "@coach/core/flows";
import * as Conversation from "@coach/core/conversation";
import { sessionFanout } from "../../shared/connections";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";
import * as Schemas from "../openapi/schemas";

const Body = z.pick(Flow.TransitionInput, { to: true });

const Transitioned = z.object({ session: Conversation.Info, transitions: z.array(Schemas.TransitionEffect) });

/** Forces the session into another phase (409 problem+json when the flow does not allow it); connected clients hear it. */
export const handler = httpRoute("POST /api/sessions/{id}/transition", { path: SessionPath, body: Body, summary: "Force the session into another phase", response: { schema: Transitioned } }, async ({ path, body }) => {
  const { session, transitions } = await Flow.transition({ sessionId: path.id, to: body.to }, flows);
  const clients = sessionFanout(session.id);
  for (const { from, to } of transitions) await clients.send({ type: "phase_transition", sessionId: session.id, from, to });
  return { body: { session, transitions } };
});
