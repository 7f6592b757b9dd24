import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import * as Connection from "@coach/core/connection";
import { VisibleError } from "@coach/core/error";
import { verifyToken } from "../http/shared/authenticate";
import { logger } from "../shared/logger";

/** $connect carries the query string; browsers cannot set headers on a WebSocket. */
type ConnectEvent = APIGatewayProxyWebsocketEventV2 & { queryStringParameters?: Record<string, string | undefined> | null };

/**
 * Verifies the JWT from the `token` query parameter with the same verifier
 * as the REST API. A refusal is a non-2xx answer, so API Gateway never opens
 * the connection.
 */
export const handler = middy<ConnectEvent, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { connectionId, requestId } = event.requestContext;
    logger.appendKeys({ traceId: requestId, connectionId, route: "$connect" });
    const token = event.queryStringParameters?.token;
    try {
      if (!token) throw new VisibleError("unauthorized", "auth.missing_token", "Connect with ?token=<JWT>");
      const userId = await verifyToken(token);
      await Connection.register(connectionId, userId);
      logger.info("connected", { userId });
      return { statusCode: 200, body: "" };
    } catch (error) {
      if (!(error instanceof VisibleError)) throw error;
      logger.info("connection refused", { code: error.code });
      return { statusCode: error.kind === "unavailable" ? 503 : 401, body: error.message };
    }
  });
