/**
 * Names of the custom CloudWatch metrics the handlers emit as EMF. The
 * Monitoring stack alarms on these names, so they live in one place.
 */
export const metricNamespace = "Coach";

export const metricNames = {
  /** Wall time of one conversation turn, user message stored → assistant message stored (ms). */
  turnLatency: "TurnLatency",
  /** Provider request started → first text delta received (ms); thinking before it counts as waiting. */
  timeToFirstToken: "TimeToFirstToken",
  /** Provider calls made (count); the denominator of the provider error rate. */
  providerRequests: "ProviderRequests",
  /** Provider calls that failed (count). */
  providerErrors: "ProviderErrors",
} as const;
