import * as z from "zod";

/** Ids a client may choose (sessions, machines) and the ids we generate share this alphabet. */
export const idPattern = String.raw`[A-Za-z0-9_-]{1,64}`;
export const Id = z.string().regex(new RegExp(`^${idPattern}$`), "must be 1-64 letters, digits, _ or -");

/** Timestamps are ISO-8601 UTC with milliseconds, so they sort as text in sort keys. */
export const isoTime = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;

export { Metadata } from "../util";

export const Limit = z.number().int().min(1).max(100).default(20);

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
