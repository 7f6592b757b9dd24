import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import { withActor } from "@coach/core/actor";
import * as Connection from "@coach/core/connection";
import { VisibleError } from "@coach/core/error";
import { clientActionNames, UserMessage } from "@coach/core/realtime";
import { invalidInput } from "@coach/core/util";
import { logger } from "../shared/logger";
import { acceptMessage } from "./shared/accept-message";
import { identityOf } from "./shared/connection-identity";
import { parseFrame, reportError } from "./shared/route";

/**
 * Frames no route matched: not JSON, no `action`, or an action we do not
 * have — the client hears why and the connection stays open. And the
 * classic questionnaire protocol's `{type: "user_message", content}`, on a
 * connection opened with `?templateId=`: a send_message to its session.
 */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { connectionId, requestId } = event.requestContext;
    logger.appendKeys({ traceId: requestId, connectionId, route: "$default" });
    let frame: unknown;
    try {
      frame = parseFrame(event.body);
      const fields = typeof frame === "object" && frame !== null ? (frame as { action?: unknown; type?: unknown }) : {};
      if (fields.type === "user_message" && fields.action === undefined) {
        await answerUserMessage(frame, event.requestContext, connectionId, requestId);
        return { statusCode: 200, body: "" };
      }
      if (typeof fields.action !== "string") throw new VisibleError("invalid", "frame.missing_action", "Frames need a string `action`");
      throw new VisibleError("invalid", "frame.unknown_action", `Unknown action "${fields.action.slice(0, 64)}"; known: ${clientActionNames.join(", ")}`);
    } catch (error) {
      await reportError(connectionId, error, requestId, frame);
    }
    return { statusCode: 200, body: "" };
  });

async function answerUserMessage(frame: unknown, requestContext: object, connectionId: string, requestId: string): Promise<void> {
  const parsed = UserMessage.safeParse(frame);
  if (!parsed.success) throw invalidInput(parsed.error, "frame.invalid");
  const identity = identityOf(requestContext);
  if (!identity) throw new VisibleError("unauthorized", "connection.unknown", "This connection has no verified user; reconnect");
  await withActor({ type: "user", userId: identity.userId }, async () => {
    const sessionId = await Connection.boundSession(connectionId);
    if (!sessionId) throw new VisibleError("invalid", "frame.no_session", "user_message frames need a connection opened with ?templateId=; elsewhere send send_message with a sessionId");
    // The classic frame has no id of its own: the request's stands in (one frame, one message).
    await acceptMessage({ sessionId, clientMessageId: `user_message-${requestId}`.slice(0, 128), content: parsed.data.content }, connectionId, requestId);
  });
}
