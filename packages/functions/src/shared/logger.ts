import { Logger } from "@aws-lambda-powertools/logger";

/** One structured JSON logger per process; each invocation adds its request and trace ids. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "coach",
  logLevel: (process.env.LOG_LEVEL ?? "INFO") as "INFO",
});
