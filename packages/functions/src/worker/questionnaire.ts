import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { withActor } from "@coach/core/actor";
import * as Connection from "@coach/core/connection";
import * as Questionnaire from "@coach/core/questionnaire";
import { closeConnection, postWhenOpen, replaceOlderConnections } from "../shared/connections";
import { logger } from "../shared/logger";
import { sessionErrorFor } from "../ws/shared/session-error";

/** What `$connect` hands this worker for a connection opened with `?templateId=`. */
export interface QuestionnaireJob {
  connectionId: string;
  userId: string;
  templateId: string;
  requestId: string;
}

/**
 * Opens a questionnaire for a connection opened with `?templateId=`: resumes
 * the user's session of that template under way (`session_resumed` with its
 * history) or starts one, binds the connection to it (closing the user's
 * older connections to it: a questionnaire is `last_wins`), and asks the question
 * due (`next_question`). Runs after `$connect`, which cannot post to a
 * connection that is not open yet. A template that does not exist is a
 * `session_error not_found`, and the connection is closed.
 */
export const handler = middy<QuestionnaireJob, void, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async ({ connectionId, userId, templateId, requestId }) => {
    logger.appendKeys({ traceId: requestId, connectionId, userId, templateId, route: "questionnaire worker" });
    await withActor({ type: "user", userId }, async () => {
      try {
        const { session, resumed } = await Questionnaire.openForTemplate(templateId);
        const { history, hasMore } = await Connection.joinWithHistory(connectionId, session.id);
        await Connection.bindToSession(session.id, connectionId);
        if (Questionnaire.questionnaire.connectionPolicy === "last_wins") await replaceOlderConnections(session.id, connectionId, requestId);
        if (resumed) await postWhenOpen(connectionId, { type: "session_resumed", sessionId: session.id, history, hasMore });
        const asking = await Questionnaire.nowAsking(session);
        if (asking) await postWhenOpen(connectionId, { type: "next_question", sessionId: session.id, ...asking });
        logger.info(resumed ? "questionnaire resumed" : "questionnaire started", { sessionId: session.id });
      } catch (error) {
        logger.error("questionnaire could not open", { error: error as Error });
        await postWhenOpen(connectionId, sessionErrorFor(error, { requestId })).catch(() => undefined);
        await closeConnection(connectionId).catch(() => undefined);
      }
    });
  });
