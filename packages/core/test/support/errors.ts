import { VisibleError } from "@coach/core/error";

/** The VisibleError a promise rejects with; anything else (or no rejection) fails the test. */
export async function errorOf(promise: Promise<unknown>): Promise<VisibleError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VisibleError) return error;
    throw error;
  }
  throw new Error("expected a VisibleError");
}
