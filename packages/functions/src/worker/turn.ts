import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { withActor } from "@coach/core/actor";
import { aiProvider } from "../shared/ai-provider";
import * as Turn from "@coach/core/turn";
import { sessionFanout } from "../shared/connections";
import type { TurnJob } from "../shared/dispatch-turn";
import { logger } from "../shared/logger";
import { metrics } from "../shared/metrics";
import { recordTurnMetrics } from "../shared/turn-metrics";

/**
 * The turn worker, invoked asynchronously by send_message: runs the AI reply
 * and streams it to every connection of the session. Its own timeout, not
 * API Gateway's 29 seconds, bounds a reply.
 */
export const handler = middy<TurnJob, void, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (job) => {
    logger.appendKeys({ traceId: job.requestId, sessionId: job.ticket.sessionId, turnId: job.ticket.turnId, userId: job.ticket.userId });
    const provider = await aiProvider();
    const outcome = await withActor({ type: "user", userId: job.ticket.userId }, () =>
      Turn.runTurn(job.ticket, { provider, sink: sessionFanout(job.ticket.sessionId), requestId: job.requestId }),
    );
    recordTurnMetrics(outcome);
  });
