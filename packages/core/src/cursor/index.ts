import * as z from "../zod";
import { VisibleError } from "../error";

/**
 * Opaque paging cursors. A cursor is the DynamoDB LastEvaluatedKey, encoded;
 * on the way back in it is parsed and every key attribute that names a
 * partition must equal the caller's, so a crafted cursor cannot start a Query
 * in someone else's data.
 */
type Key = Record<string, string>;

// Pure: a handler that never decodes a cursor does not build it at cold start.
const CursorPayload = /* @__PURE__ */ z.object({ v: z.literal(1), k: z.record(z.string(), z.string().check(z.minLength(1), z.maxLength(512))) });

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (!key) return undefined;
  return Buffer.from(JSON.stringify({ v: 1, k: key }), "utf8").toString("base64url");
}

export interface CursorBinding {
  /**
   * Exactly the attributes the key must have (the index's and the table's key
   * attributes), each with the format its value must match: a key outside
   * the Query's own key condition would make DynamoDB reject the request.
   */
  readonly attributes: Readonly<Record<string, RegExp>>;
  /** Attributes whose value must equal this exactly (the caller's partition). */
  readonly equals: Readonly<Record<string, string>>;
}

export function decodeCursor(cursor: string | undefined, binding: CursorBinding): Key | undefined {
  if (cursor === undefined) return undefined;
  const key = parse(cursor);
  const names = Object.keys(key).sort();
  const expected = Object.keys(binding.attributes).sort();
  const sameShape = names.length === expected.length && names.every((name, i) => name === expected[i]);
  const wellFormed = sameShape && Object.entries(binding.attributes).every(([name, format]) => format.test(key[name] ?? ""));
  const bound = Object.entries(binding.equals).every(([name, value]) => key[name] === value);
  if (!wellFormed || !bound) throw invalidCursor();
  return key;
}

function parse(cursor: string): Key {
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  try {
    const payload = CursorPayload.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (payload.success) return payload.data.k;
  } catch {
    // not JSON: same answer as any other bad cursor
  }
  throw invalidCursor();
}

const invalidCursor = () => new VisibleError("invalid", "cursor.invalid", "The cursor is not valid for this list");
