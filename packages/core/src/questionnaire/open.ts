import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { assertUserId } from "../actor";
import { questionnaireItem } from "../conversation/partition";
import type * as Session from "../conversation/session";
import { loadOwnedSession } from "../conversation/store";
import { VisibleError } from "../error";
import { documentClient, tableName } from "../table";
import { ANSWERING } from "./flow";
import { startSession } from "./start";

/**
 * The caller's questionnaire for a template, for a connection opened with
 * `?templateId=`: their latest session of it if it is still being answered
 * (`resumed`), else a new one. A finished, ended, expired (a period past
 * its last activity: it reads as missing) or deleted one is not resumed:
 * the next connection starts fresh.
 */
export async function openForTemplate(templateId: string): Promise<{ session: Session.Info; resumed: boolean }> {
  const userId = assertUserId();
  const found = await documentClient.send(new QueryCommand({ TableName: tableName, ...questionnaireItem.byUserTemplate.latest(userId, templateId) }));
  const sessionId = found.Items?.[0]?.sessionId as string | undefined;
  if (sessionId) {
    const session = await loadOwnedSession(sessionId).catch((error: unknown) => {
      if (error instanceof VisibleError && error.kind === "not_found") return undefined;
      throw error;
    });
    if (session && session.status === "active" && session.phase === ANSWERING) return { session, resumed: true };
  }
  return { session: await startSession({ templateId }), resumed: false };
}
