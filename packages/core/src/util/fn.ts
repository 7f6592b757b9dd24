import type * as z from "../zod";
import { invalidInput } from "./invalid-input";

/**
 * A domain verb whose input is parsed by its schema before the body runs, so
 * no transport can skip validation. The schema travels with the verb for
 * documentation (OpenAPI) and for transports that want to pre-validate.
 */
export function fn<Schema extends z.ZodMiniType, Result>(
  schema: Schema,
  body: (input: z.output<Schema>) => Result,
): ((input: z.input<Schema>) => Result) & { schema: Schema } {
  const verb = (input: z.input<Schema>) => {
    const parsed = schema.safeParse(input);
    if (!parsed.success) throw invalidInput(parsed.error);
    return body(parsed.data);
  };
  return Object.assign(verb, { schema });
}
