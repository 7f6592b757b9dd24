import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import * as Connection from "@coach/core/connection";
import { required } from "@coach/core/config";
import { TemplateId } from "@coach/core/template/schema";
import { invokeWorker } from "../shared/dispatch-turn";
import { logger } from "../shared/logger";
import type { QuestionnaireJob } from "../worker/questionnaire";
import { identityOf } from "./shared/connection-identity";

/**
 * Registers the connection (its item is what `$disconnect` and the session
 * fan-out clean up) for the user the `$connect` authorizer verified. API
 * Gateway runs this only after the authorizer allowed the connection.
 *
 * `?templateId=` opens the connection for a questionnaire of that template:
 * the questionnaire worker resumes or starts it once the connection is open
 * (this handler cannot post to a connection it has not accepted yet).
 */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { connectionId, requestId } = event.requestContext;
    logger.appendKeys({ traceId: requestId, connectionId, route: "$connect" });
    const identity = identityOf(event.requestContext);
    if (!identity) {
      // Only a deployment without the authorizer gets here; refuse rather than open an anonymous connection.
      logger.error("connection refused: no authorizer identity in the request context");
      return { statusCode: 401, body: JSON.stringify({ message: "Unauthorized" }) };
    }
    const query = (event as { queryStringParameters?: Record<string, string | undefined> | null }).queryStringParameters ?? {};
    const templateId = query.templateId === undefined ? undefined : TemplateId.safeParse(query.templateId);
    if (templateId && !templateId.success) {
      logger.info("connection refused", { code: "connect.invalid_template_id" });
      return { statusCode: 400, body: JSON.stringify({ message: "templateId: 1 to 64 lowercase letters, digits, _ or -" }) };
    }
    await Connection.register(connectionId, identity.userId);
    if (templateId?.success) {
      const job: QuestionnaireJob = { connectionId, userId: identity.userId, templateId: templateId.data, requestId };
      await invokeWorker(required("QUESTIONNAIRE_WORKER_FUNCTION"), job);
    }
    logger.info("connected", { userId: identity.userId, ...(templateId?.success ? { templateId: templateId.data } : {}) });
    return { statusCode: 200, body: "" };
  });
