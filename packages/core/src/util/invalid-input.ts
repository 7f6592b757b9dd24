import type * as z from "../zod";
import { VisibleError } from "../error";

/** A zod failure as a client-facing error listing each bad field once. */
export function invalidInput(error: z.core.$ZodError, code = "request.invalid"): VisibleError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return new VisibleError("invalid", code, `Invalid input: ${summary}`, { issues });
}
