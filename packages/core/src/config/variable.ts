import type { ConfigIssue } from "./error";

/**
 * Readers of environment variables, Powertools `getNumberFromEnv`-style:
 * each says what it expects, so an issue reads "X must be <expected>". A
 * blank value counts as unset. Plain functions rather than zod schemas: a
 * cold start reads a few sections, and building a schema per variable cost
 * more than the reading itself.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** An issue before the value is attached: the value is the environment's, and a secret's is never shown. */
export type VariableIssue = Omit<ConfigIssue, "given">;

/** One variable: its value, or what it should have been. */
export type Field<T> = (raw: string | undefined) => { ok: true; value: T } | { ok: false; expected: string; missing: boolean };

type Convert<T> = (raw: string) => T | undefined;

const isBlank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === "";

/** A variable read by `convert`, which answers undefined for a malformed value. */
export function reader<T>(expected: string, convert: Convert<T>) {
  const read = (raw: string) => {
    const value = convert(raw.trim());
    return value === undefined ? ({ ok: false, expected, missing: false } as const) : ({ ok: true, value } as const);
  };
  return {
    optional: (): Field<T | undefined> => (raw) => (isBlank(raw) ? { ok: true, value: undefined } : read(raw)),
    default: (fallback: T): Field<T> => (raw) => (isBlank(raw) ? { ok: true, value: fallback } : read(raw)),
    required: (): Field<T> => (raw) => (isBlank(raw) ? { ok: false, expected, missing: true } : read(raw)),
  };
}

/** The value as given, untrimmed, blank included (where an empty value means something, e.g. CORS_ORIGINS). */
export const raw = (): Field<string | undefined> => (value) => ({ ok: true, value });

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

type Values<F> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** Lets a section's `transform` refuse a combination of variables that each read fine. */
export interface SectionContext {
  /** Records the issue; return what it returns, so the section fails. */
  fail(issue: VariableIssue): typeof FAILED;
}

const FAILED: unique symbol = Symbol("config section failed");

/** A group of variables read together, and what they become. */
export interface Section<T> {
  parse(env: Env): { ok: true; value: T } | { ok: false; issues: VariableIssue[] };
  transform<U>(to: (values: T, context: SectionContext) => U | typeof FAILED): Section<U>;
}

function section<T>(parse: Section<T>["parse"]): Section<T> {
  return {
    parse,
    transform: (to) =>
      section((env) => {
        const read = parse(env);
        if (!read.ok) return read;
        const issues: VariableIssue[] = [];
        const value = to(read.value, { fail: (issue) => (issues.push(issue), FAILED) });
        return value === FAILED || issues.length > 0 ? { ok: false, issues } : { ok: true, value: value as Exclude<typeof value, typeof FAILED> };
      }),
  };
}

/** Several variables by name; every one is read, so one parse reports all that are wrong. */
export function variables<F extends Record<string, Field<unknown>>>(fields: F): Section<Values<F>> {
  return section((env) => {
    const values: Record<string, unknown> = {};
    const issues: VariableIssue[] = [];
    for (const [variable, field] of Object.entries(fields)) {
      const read = field(env[variable]);
      if (read.ok) values[variable] = read.value;
      else issues.push({ variable, expected: read.expected, missing: read.missing });
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, value: values as Values<F> };
  });
}

export type SectionOutput<S> = S extends Section<infer T> ? T : never;
