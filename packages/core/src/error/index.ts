/**
 * The one error class clients may see. `code` is stable and dotted
 * (`session.not_found`); `kind` decides the transport status. Anything that is
 * not a VisibleError is unexpected: logged in full, shown as a generic 500.
 */
export type ErrorKind =
  | "invalid"
  | "unauthorized"
  | "not_found"
  | "conflict"
  | "too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable"
  /** A provider we depend on answered, but not usably, and retrying will not help (a 502). */
  | "upstream";

export class VisibleError extends Error {
  override readonly name = "VisibleError";

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (what: string, code = `${what.toLowerCase()}.not_found`) =>
  new VisibleError("not_found", code, `${what} not found`);

/**
 * Error names our dependencies (DynamoDB, Lambda, the SDK's own client-side
 * limits) use when they shed load. Load is not a bug: a caller is told to
 * retry shortly, never shown an internal error.
 */
const SHEDDING_LOAD = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "LimitExceededException",
]);

/** The error a client sees: a VisibleError as it is, a dependency shedding load as a retryable `service.busy`, anything else unchanged. */
export function visibleFor(error: unknown): unknown {
  if (error instanceof VisibleError || !(error instanceof Error) || !SHEDDING_LOAD.has(error.name)) return error;
  return new VisibleError("unavailable", "service.busy", "The service is busy; retry in a moment", { retryAfter: 1 }, { cause: error });
}
