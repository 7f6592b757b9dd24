import * as z from "zod";

/**
 * Readers of one environment variable, Powertools `getNumberFromEnv`-style:
 * each says what it expects, so an issue reads "X must be <expected>". A
 * blank value counts as unset. Built on zod so sections compose as objects.
 */
type Convert<T> = (raw: string) => T | undefined;

const isBlank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === "";

/** A variable read by `convert`, which answers undefined for a malformed value. */
export function reader<T>(expected: string, convert: Convert<T>) {
  const check = (raw: string, ctx: z.RefinementCtx): T => {
    const value = convert(raw.trim());
    if (value === undefined) {
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
    return value;
  };
  return {
    optional: () => z.string().optional().transform((raw, ctx): T | undefined => (isBlank(raw) ? undefined : check(raw, ctx))),
    default: (fallback: T) => z.string().optional().transform((raw, ctx): T => (isBlank(raw) ? fallback : check(raw, ctx))),
    required: () =>
      z
        .string()
        .optional()
        .transform((raw, ctx): T => {
          if (isBlank(raw)) {
            ctx.addIssue({ code: "custom", message: expected, params: { missing: true } });
            return z.NEVER;
          }
          return check(raw, ctx);
        }),
  };
}

export const text = (expected = "a non-empty string") => reader(expected, (raw) => raw);

export const matching = (pattern: RegExp, expected: string) => reader(expected, (raw) => (pattern.test(raw) ? raw : undefined));

export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  reader(max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`, (raw) => {
    const value = Number(raw);
    return /^\d+$/.test(raw) && Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
  });

export const oneOf = <const T extends string>(values: readonly T[], { caseInsensitive = false } = {}) =>
  reader(`one of ${values.join(", ")}`, (raw) => values.find((value) => (caseInsensitive ? value.toUpperCase() === raw.toUpperCase() : value === raw)));

export const httpUrl = (expected = "an http(s) URL") =>
  reader(expected, (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? raw : undefined;
  });

export const isoDate = () =>
  reader("a date as YYYY-MM-DD", (raw) => (/^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(`${raw}T00:00:00Z`)) ? raw : undefined));

/** Whether a zod issue from `required()` means "unset" rather than "malformed". */
export const isMissing = (issue: z.core.$ZodIssue) => issue.code === "custom" && issue.params?.missing === true;

/** A schema of several variables, for a package that reads its own (the local runtime) without depending on zod itself. */
export const variables = z.object;
