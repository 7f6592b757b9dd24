import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import * as Connection from "@coach/core/connection";
import { logger } from "../shared/logger";

/** Removes the connection and its session memberships. (API Gateway may skip this; the records' TTL covers that.) */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    logger.appendKeys({ traceId: event.requestContext.requestId, connectionId: event.requestContext.connectionId, route: "$disconnect" });
    await Connection.forget(event.requestContext.connectionId);
    return { statusCode: 200, body: "" };
  });
