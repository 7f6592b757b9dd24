import { randomUUID } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import * as Documents from "@coach/core/document";
import { documentClient, tableName } from "@coach/core/table";
import { testClock } from "./support/clock";
import { errorOf } from "./support/errors";

/** The document store against DynamoDB Local, through the verbs only; the raw partition is read to check what stays behind. */
const newUser = () => `user-${randomUUID()}`;
const newSession = () => `ses_${randomUUID().replaceAll("-", "")}`;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const create = (userId: string, extra: Partial<Parameters<typeof Documents.createDocument>[0]> = {}) =>
  Documents.createDocument({ userId, title: "Q3 OKRs", markdown: "# Q3 OKRs\n\n- grow", ...extra });

async function partition(userId: string) {
  const result = await documentClient.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": `DOCS#${userId}` } }),
  );
  return result.Items ?? [];
}

afterEach(() => testClock.reset());

describe("creating and reading documents", () => {
  it("stores a document and reads it back whole", async () => {
    const user = newUser();
    const session = newSession();
    const document = await create(user, { title: "  Team OKRs  ", markdown: "# Team\n\n| a | b |\n| - | - |\n| 1 | 2 |", sessionId: session, templateId: "okr-set", templateVersion: 3 });
    expect(document).toEqual({
      id: expect.stringMatching(/^doc_[0-9A-HJKMNP-TV-Z]{26}$/),
      userId: user,
      title: "Team OKRs",
      markdown: "# Team\n\n| a | b |\n| - | - |\n| 1 | 2 |",
      sessionId: session,
      templateId: "okr-set",
      templateVersion: 3,
      createdAt: expect.stringMatching(ISO),
    });
    expect(await Documents.getDocument(user, document.id)).toEqual(document);
  });

  it("refuses what it cannot store: no title, Markdown over the item limit, a TTL in the past", async () => {
    const user = newUser();
    expect((await errorOf(create(user, { title: "   " }))).code).toBe("request.invalid");
    const huge = await errorOf(create(user, { markdown: "x".repeat(Documents.MAX_MARKDOWN_BYTES + 1) }));
    expect(huge.code).toBe("request.invalid");
    expect(huge.details?.issues).toEqual([{ path: "markdown", message: expect.stringContaining(String(Documents.MAX_MARKDOWN_BYTES)) }]);
    const past = await errorOf(create(user, { ttl: Math.floor(Date.now() / 1000) - 10 }));
    expect(past.details?.issues).toEqual([{ path: "ttl", message: "must be in the future" }]);
    expect(await partition(user)).toEqual([]);
  });

  it("answers not_found for another user's document, exactly as for a missing one, and never touches it", async () => {
    const owner = newUser();
    const document = await create(owner);
    const stranger = newUser();
    expect((await errorOf(Documents.getDocument(stranger, document.id))).code).toBe("document.not_found");
    expect((await errorOf(Documents.deleteDocument(stranger, document.id))).code).toBe("document.not_found");
    expect((await errorOf(Documents.getDocument(owner, "doc_01ARZ3NDEKTSV4RRFFQ69G5FAV"))).code).toBe("document.not_found");
    expect((await errorOf(Documents.getDocument(owner, "not-a-document-id"))).code).toBe("document.not_found");
    expect((await Documents.listDocuments(stranger, {})).items).toEqual([]);
    expect(await Documents.getDocument(owner, document.id)).toEqual(document);
  });

  it("treats a document whose TTL has passed as gone before DynamoDB removes it", async () => {
    const user = newUser();
    const now = Date.now();
    const kept = await create(user, { title: "kept" });
    const expiring = await create(user, { title: "expiring", ttl: Math.floor(now / 1000) + 60 });
    expect(expiring.expiresAt).toBe(new Date((Math.floor(now / 1000) + 60) * 1000).toISOString());
    testClock.set(now + 120_000);
    expect((await errorOf(Documents.getDocument(user, expiring.id))).code).toBe("document.not_found");
    expect((await Documents.listDocuments(user)).items.map((d) => d.id)).toEqual([kept.id]);
  });
});

describe("listing a user's documents", () => {
  it("pages newest first, without the Markdown, through every document exactly once", async () => {
    const user = newUser();
    const created: Documents.Info[] = [];
    for (let i = 1; i <= 5; i++) created.push(await create(user, { title: `Document ${i}`, markdown: `# ${i}` }));
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page: Documents.DocumentPage = await Documents.listDocuments(user, { limit: 2, cursor });
      pages.push(page.items.map((item) => item.title));
      for (const item of page.items) expect(item).not.toHaveProperty("markdown");
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(10);
    } while (cursor);
    expect(pages).toEqual([["Document 5", "Document 4"], ["Document 3", "Document 2"], ["Document 1"]]);
    const { markdown: _, ...summary } = created[4]!;
    expect((await Documents.listDocuments(user, { limit: 1 })).items).toEqual([summary]);
  });

  it("refuses a cursor from another user's list, and crafted ones", async () => {
    const owner = newUser();
    for (let i = 0; i < 3; i++) await create(owner);
    const { nextCursor } = await Documents.listDocuments(owner, { limit: 1 });
    expect(nextCursor).toEqual(expect.any(String));
    const stranger = newUser();
    expect((await errorOf(Documents.listDocuments(stranger, { cursor: nextCursor }))).code).toBe("cursor.invalid");
    const craft = (key: Record<string, string>) => Buffer.from(JSON.stringify({ v: 1, k: key })).toString("base64url");
    for (const key of <Record<string, string>[]>[
      { pk: `DOCS#${stranger}`, sk: "SESSIONDOC#ses_x" },
      { pk: `DOCS#${stranger}`, sk: "DOC#doc_x" },
      { pk: `DOCS#${stranger}`, sk: "DOC#doc_01ARZ3NDEKTSV4RRFFQ69G5FAV", gsi1pk: "x" },
      { pk: `SESSION#${stranger}`, sk: "DOC#doc_01ARZ3NDEKTSV4RRFFQ69G5FAV" },
    ]) {
      expect((await errorOf(Documents.listDocuments(stranger, { cursor: craft(key) }))).code, JSON.stringify(key)).toBe("cursor.invalid");
    }
    // Well-formed and the caller's own: accepted.
    expect((await Documents.listDocuments(stranger, { cursor: craft({ pk: `DOCS#${stranger}`, sk: "DOC#doc_01ARZ3NDEKTSV4RRFFQ69G5FAV" }) })).items).toEqual([]);
  });

  it("refuses a limit out of range", async () => {
    expect((await errorOf(Documents.listDocuments(newUser(), { limit: 0 }))).code).toBe("request.invalid");
    expect((await errorOf(Documents.listDocuments(newUser(), { limit: 101 }))).code).toBe("request.invalid");
  });
});

describe("one document per session", () => {
  it("returns the first document for a repeated create of the same session, whatever the second one says", async () => {
    const user = newUser();
    const session = newSession();
    const first = await create(user, { sessionId: session, title: "first" });
    const again = await create(user, { sessionId: session, title: "second", markdown: "other" });
    expect(again).toEqual(first);
    const other = await create(user, { sessionId: newSession() });
    expect(other.id).not.toBe(first.id);
    expect((await Documents.listDocuments(user)).items.map((d) => d.id)).toEqual([other.id, first.id]);
  });

  it("stores one document when the same session's creates race", async () => {
    const user = newUser();
    const session = newSession();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => create(user, { sessionId: session, title: `racer ${i}` })));
    expect(new Set(results.map((d) => d.id)).size).toBe(1);
    expect((await Documents.listDocuments(user)).items).toHaveLength(1);
  });

  it("lets the session make a new one once its document is deleted, and leaves nothing behind", async () => {
    const user = newUser();
    const session = newSession();
    const first = await create(user, { sessionId: session });
    expect((await partition(user)).map((item) => item.sk).sort()).toEqual([`DOC#${first.id}`, `SESSIONDOC#${session}`]);
    await Documents.deleteDocument(user, first.id);
    expect(await partition(user)).toEqual([]);
    const second = await create(user, { sessionId: session });
    expect(second.id).not.toBe(first.id);
  });
});

describe("one document per session, once its document has expired", () => {
  it("makes a new document when the one the session made is past its TTL, and deleting that one removes the marker", async () => {
    const user = newUser();
    const session = newSession();
    const now = Date.now();
    const expired = await create(user, { sessionId: session, ttl: Math.floor(now / 1000) + 60 });
    testClock.set(now + 120_000);
    const fresh = await create(user, { sessionId: session, title: "fresh" });
    expect(fresh.id).not.toBe(expired.id);
    expect(await create(user, { sessionId: session, title: "again" })).toEqual(fresh);
    await Documents.deleteDocument(user, fresh.id);
    // The expired item waits for DynamoDB's TTL; the marker left with the document that held it.
    expect((await partition(user)).map((item) => item.sk)).toEqual([`DOC#${expired.id}`]);
  });
});

describe("deleting documents", () => {
  it("deletes the document; reading or deleting it again is not_found", async () => {
    const user = newUser();
    const kept = await create(user, { title: "kept" });
    const gone = await create(user, { title: "gone" });
    await Documents.deleteDocument(user, gone.id);
    expect((await errorOf(Documents.getDocument(user, gone.id))).code).toBe("document.not_found");
    expect((await errorOf(Documents.deleteDocument(user, gone.id))).code).toBe("document.not_found");
    expect((await Documents.listDocuments(user)).items.map((d) => d.id)).toEqual([kept.id]);
  });
});
