import { Logger } from "@aws-lambda-powertools/logger";
import { config } from "@coach/core/config";

/** One structured JSON logger per process; each invocation adds its request and trace ids. */
export const logger = new Logger({
  serviceName: config().observability.serviceName,
  logLevel: config().observability.logLevel,
});
