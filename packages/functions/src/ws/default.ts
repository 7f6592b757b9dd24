import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import { VisibleError } from "@coach/core/error";
import { clientActionNames } from "@coach/core/realtime";
import { logger } from "../shared/logger";
import { parseFrame, reportError } from "./shared/route";

/**
 * Frames no route matched: not JSON, no `action`, or an action we do not
 * have. The client hears why; the connection stays open.
 */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { connectionId, requestId } = event.requestContext;
    logger.appendKeys({ traceId: requestId, connectionId, route: "$default" });
    let frame: unknown;
    try {
      frame = parseFrame(event.body);
      const action = typeof frame === "object" && frame !== null ? (frame as { action?: unknown }).action : undefined;
      if (typeof action !== "string") throw new VisibleError("invalid", "frame.missing_action", "Frames need a string `action`");
      throw new VisibleError("invalid", "frame.unknown_action", `Unknown action "${action.slice(0, 64)}"; known: ${clientActionNames.join(", ")}`);
    } catch (error) {
      await reportError(connectionId, error, requestId, frame);
    }
    return { statusCode: 200, body: "" };
  });
