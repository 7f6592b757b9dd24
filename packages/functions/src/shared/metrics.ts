import { Metrics } from "@aws-lambda-powertools/metrics";
import { config } from "@coach/core/config";
import { metricNamespace } from "@coach/core/observability";

/**
 * Custom metrics as CloudWatch EMF, in the namespace and with the one
 * `service` dimension the Monitoring stack's alarms read.
 */
export const metrics = new Metrics({
  namespace: metricNamespace,
  serviceName: config().observability.serviceName,
});
