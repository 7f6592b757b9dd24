import * as z from "@coach/core/zod";
import * as Conversation from "@coach/core/conversation";
import { flows, SessionFlow } from "@coach/core/flows";
import { startSession } from "@coach/core/questionnaire";
import { TemplateId } from "@coach/core/template/schema";
import { httpRoute } from "../shared/route";

const Body = z
  .object({
    flow: SessionFlow,
    /** The questionnaire flow's template (its latest version is pinned); no other flow takes one. */
    templateId: z.optional(TemplateId),
    ...Conversation.CreateInput.shape,
  })
  .check(
    z.refine((body) => (body.flow === "questionnaire") === (body.templateId !== undefined), {
      path: ["templateId"],
      message: "a questionnaire session needs a templateId, and only a questionnaire takes one",
    }),
  );

export const handler = httpRoute("POST /api/sessions", { body: Body, summary: "Create a session", response: { status: 201, schema: Conversation.Info } }, async ({ body }) => {
  const { flow, templateId, ...input } = body;
  const session = templateId !== undefined ? await startSession({ templateId, ...input }) : await Conversation.create(input, flows[flow]);
  return { status: 201, body: session };
});
