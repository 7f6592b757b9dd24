import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayAuthorizerWithContextResult, Context } from "aws-lambda";
import * as z from "@coach/core/zod";
import { VisibleError } from "@coach/core/error";
import { verifyToken } from "../http/shared/authenticate";
import { logger } from "../shared/logger";
import type { ConnectionIdentity } from "./shared/connection-identity";

/**
 * The part of API Gateway's REQUEST authorizer event for a WebSocket
 * `$connect` that this authorizer reads (`@types/aws-lambda` only has the
 * REST shape, with a method and a path that WebSocket events lack).
 */
const ConnectAuthorizerEvent = z.object({
  methodArn: z.string().check(z.minLength(1)),
  queryStringParameters: z.nullish(z.record(z.string(), z.optional(z.string()))),
  requestContext: z.optional(z.partial(z.object({ connectionId: z.string(), requestId: z.string() }))),
});

/** The one error message API Gateway turns into a 401; any other failure of the authorizer becomes a 500. */
const UNAUTHORIZED = "Unauthorized";

/**
 * The `$connect` authorizer: verifies the JWT from `?token=` with the REST
 * API's verifier and admits the connection with `context: { userId }`, which
 * API Gateway hands every later event of the connection, so no frame has to
 * look the user up. A missing or invalid token is a 401 (the upgrade is
 * refused). A JWKS outage is not the caller's fault and must not read as a
 * bad token: it fails the authorizer, which API Gateway answers with 500.
 */
export const handler = middy<unknown, APIGatewayAuthorizerWithContextResult<ConnectionIdentity>, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (input) => {
    const event = ConnectAuthorizerEvent.parse(input);
    logger.appendKeys({ traceId: event.requestContext?.requestId, connectionId: event.requestContext?.connectionId, route: "$connect authorizer" });
    const token = event.queryStringParameters?.token;
    if (!token) {
      logger.info("connection refused", { code: "auth.missing_token" });
      throw new Error(UNAUTHORIZED);
    }
    let userId: string;
    try {
      userId = await verifyToken(token);
    } catch (error) {
      if (error instanceof VisibleError && error.kind === "unauthorized") {
        logger.info("connection refused", { code: error.code, detail: error.message });
        throw new Error(UNAUTHORIZED, { cause: error });
      }
      throw error;
    }
    logger.info("connection authorized", { userId });
    return {
      principalId: userId,
      policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] },
      context: { userId },
    };
  });
