import * as z from "../zod";

/**
 * How deeply any JSON a client sends (a REST body, a WebSocket frame) may nest
 * objects and arrays, `{}` counting as 1. Deeper input is refused before it
 * reaches a schema: walking it recursively (zod, JSON.stringify, the DynamoDB
 * marshaller) would exhaust the stack at a few thousand levels.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `value` nests objects and arrays more than `limit` levels deep.
 * Iterative, and it stops at the first path past the limit, so neither a
 * hostile depth nor a cycle can exhaust the stack.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== "object" || node === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * DynamoDB refuses an item nested more than 32 levels, the item itself
 * counting as one, so a top-level attribute may hold 31. Metadata stays at
 * half that, leaving room for it to be stored inside another map later.
 */
export const MAX_METADATA_DEPTH = 16;
export const MAX_METADATA_BYTES = 8 * 1024;

/** A caller's own free-form data, bounded so the item that stores it always fits. */
// Pure: a handler that never uses it does not build it at cold start.
export const Metadata = /* @__PURE__ */ z.record(z.string(), z.unknown()).check(
  z.superRefine((value, ctx) => {
    // Depth first: JSON.stringify below would overflow the stack on a deep value.
    if (nestsDeeperThan(value, MAX_METADATA_DEPTH)) {
      ctx.addIssue({ code: "custom", message: `metadata must nest at most ${MAX_METADATA_DEPTH} levels of objects and arrays` });
    } else if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) {
      ctx.addIssue({ code: "custom", message: `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON` });
    }
  }),
);
