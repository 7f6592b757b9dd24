import { Logger } from "@aws-lambda-powertools/logger";
import { httpConfig } from "./config";

/** One structured JSON logger per process; each invocation adds its request and trace ids. */
export const logger = new Logger({
  serviceName: httpConfig.serviceName,
  logLevel: httpConfig.logLevel as "INFO",
});
