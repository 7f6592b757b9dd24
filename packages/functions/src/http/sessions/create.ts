import * as z from "zod";
import * as Conversation from "@coach/core/conversation";
import { flows, SessionFlow } from "@coach/core/flows";
import { httpRoute } from "../shared/route";

const Body = z.object({ flow: SessionFlow, ...Conversation.CreateInput.shape });

export const handler = httpRoute("POST /api/sessions", { body: Body, summary: "Create a session", response: { status: 201, schema: Conversation.Info } }, async ({ body }) => ({
  status: 201,
  body: await Conversation.create(body, flows[body.flow]),
}));
