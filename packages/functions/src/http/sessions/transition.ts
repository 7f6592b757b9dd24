import { z } from "zod";
import * as Coaching from "@coach/core/coaching";
import * as Conversation from "@coach/core/conversation";
import { sessionFanout } from "../../shared/connections";
import { httpRoute } from "../shared/route";
import { SessionPath } from "./params";
import * as Schemas from "../openapi/schemas";

const Body = Coaching.TransitionInput.pick({ to: true });

const Transitioned = z.object({ session: Conversation.Info, transitions: z.array(Schemas.TransitionEffect) });

/** Forces the session into another phase (409 problem+json when the flow does not allow it); connected clients hear it. */
export const handler = httpRoute({ auth: "user", path: SessionPath, body: Body, summary: "Force the session into another phase", response: { schema: Transitioned } }, async ({ path, body }) => {
  const { session, transitions } = await Coaching.transition({ sessionId: path.id, to: body.to });
  const clients = sessionFanout(session.id);
  for (const { from, to } of transitions) await clients.send({ type: "phase_transition", sessionId: session.id, from, to });
  return { body: { session, transitions } };
});
