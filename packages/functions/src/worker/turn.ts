import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { withActor } from "@coach/core/actor";
import * as Turn from "@coach/core/turn";
import type { TurnJob } from "../shared/dispatch-turn";
import { logger } from "../shared/logger";
import { metrics } from "../shared/metrics";
import { recordTurnMetrics } from "../shared/turn-metrics";
import { runPorts } from "../shared/turn-ports";

/**
 * The turn worker, invoked asynchronously by send_message: runs the AI reply
 * and streams it to every connection of the session. Its own timeout, not
 * API Gateway's 29 seconds, bounds a reply.
 */
export const handler = middy<TurnJob, void, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async ({ ticket, requestId }) => {
    logger.appendKeys({ traceId: requestId, sessionId: ticket.sessionId, turnId: ticket.turnId, userId: ticket.userId });
    const ports = await runPorts(ticket.sessionId, requestId);
    recordTurnMetrics(await withActor({ type: "user", userId: ticket.userId }, () => Turn.run(ticket, ports)));
  });
