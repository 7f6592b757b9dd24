import * as z from "../zod";

/** Ids a client may choose (sessions, machines) and the ids we generate share this alphabet. */
export const idPattern = String.raw`[A-Za-z0-9_-]{1,64}`;

// Pure, here and in the other tracking modules: every tracking route imports
// the whole concept and uses a few of its schemas and verbs; esbuild drops the
// rest instead of building them at cold start.
export const Id = /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.regex(/* @__PURE__ */ new RegExp(`^${idPattern}$`), "must be 1-64 letters, digits, _ or -"));

/** Timestamps are ISO-8601 UTC with milliseconds, so they sort as text in sort keys. */
export const isoTime = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;

export { Metadata } from "../util";

export const Limit = /* @__PURE__ */ z._default(/* @__PURE__ */ z.number().check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.gte(1), /* @__PURE__ */ z.lte(100)), 20);

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
