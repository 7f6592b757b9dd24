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
  | "unavailable";

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
