import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import type * as z from "@coach/core/zod";
import { withActor } from "@coach/core/actor";
import { VisibleError } from "@coach/core/error";
import { invalidInput, MAX_JSON_DEPTH, nestsDeeperThan } from "@coach/core/util";
import { postToConnection } from "../../shared/connections";
import { logger } from "../../shared/logger";
import { identityOf } from "./connection-identity";
import { sessionErrorFor } from "./session-error";

export interface FrameInput<Frame> {
  frame: Frame;
  /** Verified once, at `$connect`, by the authorizer. */
  userId: string;
  connectionId: string;
  requestId: string;
}

/**
 * The one way to write a WebSocket message handler: parse the frame with
 * zod, take who the connection belongs to from the `$connect` authorizer's
 * context (API Gateway passes it with every frame, so no table read), run
 * the core call as that user. Any error becomes a typed `session_error` posted to
 * the caller, and the route still answers 200, so the connection stays open.
 */
export function wsRoute<Schema extends z.ZodMiniType>(schema: Schema, run: (input: FrameInput<z.output<Schema>>) => Promise<void>) {
  return middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const { connectionId, requestId, routeKey } = event.requestContext;
      logger.appendKeys({ traceId: requestId, connectionId, route: routeKey });
      let body: unknown;
      try {
        body = parseFrame(event.body);
        const parsed = schema.safeParse(body);
        if (!parsed.success) throw invalidInput(parsed.error, "frame.invalid");
        const identity = identityOf(event.requestContext);
        if (!identity) throw new VisibleError("unauthorized", "connection.unknown", "This connection has no verified user; reconnect");
        const { userId } = identity;
        logger.appendKeys({ userId });
        await withActor({ type: "user", userId }, () => run({ frame: parsed.data, userId, connectionId, requestId }));
      } catch (error) {
        await reportError(connectionId, error, requestId, body);
      }
      return { statusCode: 200, body: "" };
    });
}

export function parseFrame(body: string | undefined): unknown {
  let frame: unknown;
  try {
    frame = JSON.parse(body ?? "");
  } catch {
    throw new VisibleError("invalid", "frame.not_json", "Frames must be JSON objects with an action");
  }
  if (nestsDeeperThan(frame, MAX_JSON_DEPTH)) {
    throw new VisibleError("invalid", "frame.too_deep", `Frames may nest objects and arrays at most ${MAX_JSON_DEPTH} levels deep`);
  }
  return frame;
}

export async function reportError(connectionId: string, error: unknown, requestId: string, frame?: unknown): Promise<void> {
  const fields = typeof frame === "object" && frame !== null ? (frame as Record<string, unknown>) : {};
  const sessionError = sessionErrorFor(error, {
    requestId,
    sessionId: typeof fields.sessionId === "string" ? fields.sessionId : undefined,
    clientMessageId: typeof fields.clientMessageId === "string" ? fields.clientMessageId : undefined,
  });
  if (error instanceof VisibleError) logger.info("frame rejected", { code: error.code });
  else logger.error("frame failed", { error: error as Error });
  await postToConnection(connectionId, sessionError).catch((postError: unknown) => logger.warn("could not post session_error", { error: postError as Error }));
}
