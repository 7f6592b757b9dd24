import * as z from "@coach/core/zod";

/**
 * Query-string integers arrive as text; anything that is not a plain integer is a 400.
 * Its own module: the session and tracking routes share it, and importing it
 * must not pull in either family's core concept.
 */
export const queryInt = z.pipe(z.string().check(z.regex(/^\d{1,6}$/, "must be a whole number")), z.transform(Number));
