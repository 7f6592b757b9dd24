import { Metrics } from "@aws-lambda-powertools/metrics";
import { metricNamespace } from "@coach/core/observability";

/**
 * Custom metrics as CloudWatch EMF, in the namespace and with the one
 * `service` dimension the Monitoring stack's alarms read.
 */
export const metrics = new Metrics({
  namespace: metricNamespace,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "coach",
});
