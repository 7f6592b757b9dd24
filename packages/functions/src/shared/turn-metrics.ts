import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { metricNames } from "@coach/core/observability";
import type * as Turn from "@coach/core/turn";
import { logger } from "./logger";
import { metrics } from "./metrics";

/** Turn latency, time to first token and the provider error rate, as EMF; the Monitoring stack alarms on them. */
export function recordTurnMetrics(outcome: Turn.TurnOutcome): void {
  if (outcome.kind === "skipped") {
    logger.info("turn skipped: another worker has it");
    return;
  }
  metrics.addMetric(metricNames.providerRequests, MetricUnit.Count, 1);
  if (outcome.kind === "failed") {
    metrics.addMetric(metricNames.providerErrors, MetricUnit.Count, 1);
    logger.error("turn failed", { code: outcome.code, retryable: outcome.retryable, error: outcome.error as Error, deltas: outcome.deltas });
    return;
  }
  metrics.addMetric(metricNames.providerErrors, MetricUnit.Count, 0);
  // A reply its user stopped is as long as they let it run: it says nothing of how long replies take.
  if (!outcome.stopped) metrics.addMetric(metricNames.turnLatency, MetricUnit.Milliseconds, outcome.totalMs);
  if (outcome.firstDeltaMs !== undefined) metrics.addMetric(metricNames.timeToFirstToken, MetricUnit.Milliseconds, outcome.firstDeltaMs);
  logger.info(outcome.stopped ? "turn stopped by its user" : "turn completed", {
    messageId: outcome.message.id,
    deltas: outcome.deltas,
    frames: outcome.frames,
    totalMs: Math.round(outcome.totalMs),
  });
}
