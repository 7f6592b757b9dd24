import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "@coach/core/cursor";
import { VisibleError } from "@coach/core/error";

const binding = {
  attributes: { pk: /^SESSION#/, sk: /^SESSION$/, gsi1pk: /^USER#/, gsi1sk: /^active#/ },
  equals: { gsi1pk: "USER#alice" },
};
const aliceKey = { pk: "SESSION#s1", sk: "SESSION", gsi1pk: "USER#alice", gsi1sk: "active#2026-01-01T00:00:00.000Z#s1" };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof VisibleError ? error.code : "unexpected";
  }
  return undefined;
}

describe("paging cursors", () => {
  it("round-trip the key they were made from", () => {
    expect(decodeCursor(encodeCursor(aliceKey), binding)).toEqual(aliceKey);
  });

  it("are absent when there is no next page", () => {
    expect(encodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor(undefined, binding)).toBeUndefined();
  });

  it("are opaque url-safe text", () => {
    expect(encodeCursor(aliceKey)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("refuse a key from another user's partition", () => {
    const bobs = encodeCursor({ ...aliceKey, gsi1pk: "USER#bob" });
    expect(codeOf(() => decodeCursor(bobs, binding))).toBe("cursor.invalid");
  });

  it("refuse a key from another list of the same user", () => {
    const unresolved = encodeCursor({ ...aliceKey, gsi1sk: "unresolved#2026#s1" });
    expect(codeOf(() => decodeCursor(unresolved, binding))).toBe("cursor.invalid");
  });

  it("refuse keys with missing or extra attributes", () => {
    const { gsi1sk: _dropped, ...missing } = aliceKey;
    expect(codeOf(() => decodeCursor(encodeCursor(missing), binding))).toBe("cursor.invalid");
    expect(codeOf(() => decodeCursor(encodeCursor({ ...aliceKey, extra: "x" }), binding))).toBe("cursor.invalid");
  });

  it.each([
    ["not base64", "***"],
    ["not JSON", Buffer.from("hello").toString("base64url")],
    ["JSON of the wrong shape", Buffer.from(JSON.stringify({ v: 2, k: {} })).toString("base64url")],
    ["non-string key values", Buffer.from(JSON.stringify({ v: 1, k: { ...aliceKey, pk: 5 } })).toString("base64url")],
    ["absurdly long", "a".repeat(5000)],
    ["empty", ""],
    ["empty key values", Buffer.from(JSON.stringify({ v: 1, k: { ...aliceKey, sk: "" } })).toString("base64url")],
  ])("refuse a cursor that is %s", (_, cursor) => {
    expect(codeOf(() => decodeCursor(cursor, binding))).toBe("cursor.invalid");
  });
});
