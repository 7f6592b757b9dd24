import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Documents from "@coach/core/document";
import { sampleToday, sampleUserMessages } from "../../core/test/support/sample-conversation";
import { testStackConfig } from "../../../test/env";
import { flat, pdfInfo, pdfText } from "../../../test/pdf-text";
import { startLocalStack, type LocalStack } from "../../local/src/stack";
import { apiClient, craftCursor, expectProblem, expectStandardHeaders, ISO_TIMESTAMP, newUser, ORIGIN, type Api } from "./support/api";

/**
 * The document routes over real HTTP against the local runtime, and the PDF
 * export of a session. Documents are created through core, as the
 * questionnaire flow that completes a session does.
 */
let stack: LocalStack;
let api: Api;

beforeAll(async () => {
  // The offline coach resolves "by June 30" against this day, as in the README's sample session.
  process.env.OFFLINE_COACH_TODAY = sampleToday;
  stack = await startLocalStack(testStackConfig());
  api = apiClient(stack);
});

afterAll(async () => {
  delete process.env.OFFLINE_COACH_TODAY;
  await stack?.stop();
});

const markdown = `# Team OKRs

Written with **care** for *Q3*.

## Key results

- Grow weekly active users
- Raise retention

1. First step
2. Second step

| Key result | Baseline | Target |
| --- | ---: | ---: |
| Weekly active users | 12,000 | 18,000 |
`;

const newSessionId = () => `ses_${crypto.randomUUID().replaceAll("-", "")}`;
const store = (userId: string, extra: Partial<Parameters<typeof Documents.createDocument>[0]> = {}) =>
  Documents.createDocument({ userId, title: "Team OKRs: Q3/2026", markdown, ...extra });

/** A download as bytes, with the `Accept` a PDF viewer's client sends (API Gateway decodes base64 bodies only for it). */
async function download(path: string, user: string, accept = "application/pdf") {
  const response = await fetch(`${stack.httpUrl}${path}`, { headers: { authorization: `Bearer ${stack.issuer.token(user)}`, accept, origin: ORIGIN } });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe("GET /api/documents", () => {
  it("lists the caller's documents newest first, without their Markdown, paged with a cursor", async () => {
    const user = newUser();
    const created: Documents.Info[] = [];
    for (let i = 1; i <= 3; i++) created.push(await store(user, { title: `Document ${i}`, sessionId: newSessionId(), templateId: "okr-set", templateVersion: 2 }));
    await store(newUser(), { title: "someone else's" });

    const first = await api.get("/api/documents?limit=2", { as: user });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json");
    expectStandardHeaders(first);
    const { markdown: _, ...newest } = created[2]!;
    expect(first.body).toEqual({ documents: [newest, expect.objectContaining({ id: created[1]!.id })], nextCursor: expect.any(String) });
    expect(newest).toMatchObject({ id: expect.stringMatching(/^doc_/), userId: user, createdAt: expect.stringMatching(ISO_TIMESTAMP), templateId: "okr-set", templateVersion: 2 });
    for (const document of first.body.documents) expect(document).not.toHaveProperty("markdown");

    const second = await api.get(`/api/documents?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: user });
    expect(second.body).toEqual({ documents: [expect.objectContaining({ id: created[0]!.id, title: "Document 1" })], nextCursor: null });
    expect((await api.get("/api/documents", { as: newUser() })).body).toEqual({ documents: [], nextCursor: null });
  });

  it("refuses another user's cursor, a crafted one and a bad limit with 400", async () => {
    const owner = newUser();
    for (let i = 0; i < 2; i++) await store(owner);
    const page = await api.get("/api/documents?limit=1", { as: owner });
    const stranger = newUser();
    expectProblem(await api.get(`/api/documents?cursor=${encodeURIComponent(page.body.nextCursor)}`, { as: stranger }), 400, "cursor.invalid");
    expectProblem(await api.get(`/api/documents?cursor=${craftCursor({ pk: `DOCS#${stranger}`, sk: "SESSIONDOC#x" })}`, { as: stranger }), 400, "cursor.invalid");
    expectProblem(await api.get("/api/documents?cursor=%00", { as: stranger }), 400, "cursor.invalid");
    expectProblem(await api.get("/api/documents?limit=0", { as: owner }), 400, "request.invalid");
    expectProblem(await api.get("/api/documents?limit=abc", { as: owner }), 400, "request.invalid_query");
  });

  it("needs a user's token", async () => {
    expectProblem(await api.get("/api/documents"), 401, "auth.missing_token");
  });
});

describe("GET /api/documents/{id}", () => {
  it("answers the document as JSON, with its Markdown", async () => {
    const user = newUser();
    const document = await store(user);
    const response = await api.get(`/api/documents/${document.id}`, { as: user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expectStandardHeaders(response);
    expect(response.body).toEqual(document);
    expect((await api.get(`/api/documents/${document.id}?format=json`, { as: user })).body).toEqual(document);
  });

  it("downloads the Markdown with format=markdown, named after the title", async () => {
    const user = newUser();
    const document = await store(user);
    const response = await api.get(`/api/documents/${document.id}?format=markdown`, { as: user });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="Team-OKRs-Q3-2026.md"');
    expectStandardHeaders(response);
    expect(response.text).toBe(markdown);

    const accented = await store(user, { title: "Équipe — objectifs" });
    expect((await api.get(`/api/documents/${accented.id}?format=markdown`, { as: user })).headers.get("content-disposition")).toBe(
      `attachment; filename="Equipe-objectifs.md"; filename*=UTF-8''%C3%89quipe%20%E2%80%94%20objectifs.md`,
    );
  });

  it("renders a PDF with format=pdf: the headings, list items and table cells, the title and date in its metadata", async () => {
    const user = newUser();
    const document = await store(user);
    const response = await download(`/api/documents/${document.id}?format=pdf`, user);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="Team-OKRs-Q3-2026.pdf"');
    expect(response.headers.get("access-control-allow-origin")).toBeTruthy();
    expect(response.headers.get("access-control-expose-headers")).toContain("content-disposition");
    expect(Buffer.from(response.bytes.subarray(0, 5)).toString()).toBe("%PDF-");
    const text = flat(await pdfText(response.bytes));
    for (const expected of ["Team OKRs", "Written with care for Q3.", "Key results", "• Grow weekly active users", "• Raise retention", "1. First step", "2. Second step"]) {
      expect(text, expected).toContain(expected);
    }
    const rows = (await pdfText(response.bytes, { layout: true })).split("\n").map((line) => line.trim().split(/\s{2,}/));
    expect(rows).toContainEqual(["Key result", "Baseline", "Target"]);
    expect(rows).toContainEqual(["Weekly active users", "12,000", "18,000"]);
    const info = await pdfInfo(response.bytes);
    expect(info.Title).toBe("Team OKRs: Q3/2026");
    expect(info.CreationDate).toBe(document.createdAt.replace(/\.\d{3}Z$/, "Z"));
    // The same document renders to the same bytes.
    expect(Buffer.from((await download(`/api/documents/${document.id}?format=pdf`, user)).bytes).equals(Buffer.from(response.bytes))).toBe(true);
  });

  it("answers the PDF base64-encoded to a request that does not ask for application/pdf first, as API Gateway does", async () => {
    const user = newUser();
    const document = await store(user);
    const response = await download(`/api/documents/${document.id}?format=pdf`, user, "*/*");
    expect(response.status).toBe(200);
    expect(Buffer.from(Buffer.from(response.bytes).toString("latin1"), "base64").subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("rejects an unknown format with a 400 problem naming the parameter", async () => {
    const user = newUser();
    const document = await store(user);
    const response = await api.get(`/api/documents/${document.id}?format=docx`, { as: user });
    expectProblem(response, 400, "request.invalid_query");
    expect(response.body.issues).toEqual([{ path: "format", message: expect.any(String) }]);
  });

  it("answers 404 for another user's document in every format, exactly as for a missing one", async () => {
    const owner = newUser();
    const document = await store(owner);
    const stranger = newUser();
    for (const format of ["json", "markdown", "pdf"]) {
      expectProblem(await api.get(`/api/documents/${document.id}?format=${format}`, { as: stranger }), 404, "document.not_found");
    }
    expectProblem(await api.get("/api/documents/doc_01ARZ3NDEKTSV4RRFFQ69G5FAV", { as: owner }), 404, "document.not_found");
    expectProblem(await api.get("/api/documents/not-an-id", { as: owner }), 404, "route.not_found");
    expect((await api.get(`/api/documents/${document.id}`, { as: owner })).status).toBe(200);
  });
});

describe("DELETE /api/documents/{id}", () => {
  it("deletes the caller's document with 204; it is gone from reads and the list", async () => {
    const user = newUser();
    const kept = await store(user, { title: "kept" });
    const gone = await store(user, { title: "gone", sessionId: newSessionId() });
    const response = await api.delete(`/api/documents/${gone.id}`, { as: user });
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expectStandardHeaders(response);
    expectProblem(await api.get(`/api/documents/${gone.id}`, { as: user }), 404, "document.not_found");
    expectProblem(await api.delete(`/api/documents/${gone.id}`, { as: user }), 404, "document.not_found");
    expect((await api.get("/api/documents", { as: user })).body.documents.map((d: { id: string }) => d.id)).toEqual([kept.id]);
  });

  it("answers 404 for another user's document and leaves it in place", async () => {
    const owner = newUser();
    const document = await store(owner);
    expectProblem(await api.delete(`/api/documents/${document.id}`, { as: newUser() }), 404, "document.not_found");
    expect((await api.get(`/api/documents/${document.id}`, { as: owner })).body).toEqual(document);
  });
});

describe("GET /api/sessions/{id}/export?format=pdf", () => {
  it("renders the Markdown export of an OKR session, its OKR set included, as a PDF", async () => {
    const user = newUser();
    const session = await api.createSession(user, { flow: "okr" });
    let phase = session.phase;
    for (const [i, content] of sampleUserMessages.entries()) {
      const sent = await api.post(`/api/sessions/${session.id}/messages`, { as: user, json: { clientMessageId: `c-${i}`, content } });
      expect(sent.status, sent.text).toBe(201);
      phase = (await api.get(`/api/sessions/${session.id}`, { as: user })).body.phase;
      if (phase === "complete") break;
    }
    const okrs = (await api.get(`/api/sessions/${session.id}/okrs`, { as: user })).body;
    expect(okrs.draft.objective?.statement).toEqual(expect.any(String));
    expect(okrs.draft.keyResults.length).toBeGreaterThanOrEqual(2);

    const response = await download(`/api/sessions/${session.id}/export?format=pdf`, user);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="session-${session.id}.pdf"`);
    const text = flat(await pdfText(response.bytes));
    expect(text).toContain(`Session ${session.id}`);
    expect(text).toContain("OKRs");
    expect(text).toContain(`Objective: ${flat(okrs.draft.objective.statement)}`);
    for (const kr of okrs.draft.keyResults as { id: string }[]) expect(text).toContain(`${kr.id.toUpperCase()}:`);
    expect(text).toContain(`Overall: ${okrs.scores.overall}/100`);
    expect(text).toContain("Transcript");
    expect(text).toContain(flat(sampleUserMessages[0]!).slice(0, 60));
    expect((await pdfInfo(response.bytes)).Title).toBe(`Session ${session.id}`);
  });

  it("answers 404 for another user's session, as the other formats do", async () => {
    const owner = newUser();
    const session = await api.createSession(owner);
    expectProblem(await api.get(`/api/sessions/${session.id}/export?format=pdf`, { as: newUser() }), 404, "session.not_found");
  });
});
