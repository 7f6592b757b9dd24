import * as z from "../zod";
import { create, CreateInput } from "../conversation/lifecycle";
import { questionnaireItem } from "../conversation/partition";
import { tableName } from "../table";
import type * as Session from "../conversation/session";
import { getTemplate } from "../template";
import { TemplateId } from "../template/schema";
import { invalidInput } from "../util/invalid-input";
import { questionnaire } from "./flow";
import { startQuestionnaire } from "./state";

export const StartInput = z.object({ templateId: TemplateId, ...CreateInput.shape });

/**
 * A new questionnaire session of the caller, pinned to the template's
 * latest version (a copy of it is the session's first state): editing or
 * deleting the template later never changes what this session asks. Until
 * it is complete it expires a period (QUESTIONNAIRE_EXPIRY_HOURS) after its
 * last activity; its pointer item carries the session's TTL like the rest.
 */
export async function startSession(raw: z.input<typeof StartInput>): Promise<Session.Info> {
  const parsed = StartInput.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const { templateId, ...input } = parsed.data;
  const template = await getTemplate(templateId);
  return create(input, questionnaire, {
    expires: true,
    state: startQuestionnaire(template),
    writes: (session) => ({
      questionnaire: {
        Put: {
          TableName: tableName,
          Item: { ...questionnaireItem.key(session.id), type: "questionnaire", sessionId: session.id, templateId, ...questionnaireItem.byUserTemplate.attributes(session.userId, templateId, session.createdAt), ttl: session.ttl },
        },
      },
    }),
  });
}
