import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import * as Connection from "@coach/core/connection";
import { logger } from "../shared/logger";
import { identityOf } from "./shared/connection-identity";

/**
 * Registers the connection (its item is what `$disconnect` and the session
 * fan-out clean up) for the user the `$connect` authorizer verified. API
 * Gateway runs this only after the authorizer allowed the connection.
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
    await Connection.register(connectionId, identity.userId);
    logger.info("connected", { userId: identity.userId });
    return { statusCode: 200, body: "" };
  });
