/**
 * The zod that core and the handlers validate with: zod/mini, whose schemas
 * are plain functions (`z.optional(z.string())`, `.check(z.maxLength(64))`)
 * that a bundle keeps only as far as a route uses them. Classic zod's method
 * chains carry its whole schema class tree into every bundle, which costs a
 * cold start more than everything else that separates a route from the
 * reference handler (`pnpm bench`).
 *
 * Mini leaves error messages to the locale: this module sets classic's
 * English ones, so a 400's issues read as they always did.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export * from "zod/mini";
