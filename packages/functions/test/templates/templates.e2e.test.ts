import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/local-stack";
import { craftCursor, expectProblem, expectStandardHeaders, newUser, type ApiResponse, type CallOptions } from "../support/api";

/**
 * The template routes over real HTTP against the local runtime: users read,
 * operators (the dev API key) put versions and delete, everything else is
 * refused as problem+json.
 */
const local = useLocalStack();
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const asOperator = (options: CallOptions = {}): CallOptions => ({ ...options, authorization: `Bearer ${local.stack.devApiKey}` });
const put = (id: string, json: unknown, options: CallOptions = {}) => local.api.call("PUT", `/api/templates/${id}`, asOperator({ ...options, json }));

function body(title = "Equipment request") {
  return {
    title,
    description: "What a new starter needs on day one",
    questions: [
      { id: "name", text: "Who is it for?", kind: "text" },
      { id: "laptop", text: "Which laptop?", kind: "choice", options: ["13-inch", "16-inch"] },
      { id: "monitors", text: "How many monitors?", kind: "number", required: false },
    ],
    document: { title: "Equipment", body: "# Equipment for {{name}}\n\n- Laptop: {{laptop}}\n- Monitors: {{monitors}}" },
  };
}

/** Every template summary of the list, page after page of `limit`. */
async function listAll(user: string, limit: number): Promise<{ id: string; version: number; title: string; questionCount: number }[]> {
  const seen = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse = await local.api.get(`/api/templates?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { as: user });
    expectOk(page);
    expect(page.body.templates.length).toBeLessThanOrEqual(limit);
    seen.push(...page.body.templates);
    cursor = page.body.nextCursor;
  } while (cursor);
  return seen;
}

function expectOk(response: ApiResponse, status = 200) {
  expect(response.status, response.text).toBe(status);
  if (status !== 204) expect(response.headers.get("content-type")).toBe("application/json");
  expectStandardHeaders(response);
}

describe("operators put templates", () => {
  it("stores version 1 (201), answers an unchanged body with it (200), and a changed one with version 2 (201)", async () => {
    const id = unique("equipment");
    const first = await put(id, body());
    expectOk(first, 201);
    expect(first.body).toMatchObject({ id, version: 1, title: "Equipment request", questions: [{ id: "name", required: true }, { id: "laptop" }, { id: "monitors", required: false }] });

    const again = await put(id, { ...body(), id });
    expectOk(again, 200);
    expect(again.body).toEqual(first.body);

    const changed = await put(id, body("Equipment and access"), { headers: { "x-api-key": local.stack.devApiKey } });
    expectOk(changed, 201);
    expect(changed.body).toMatchObject({ id, version: 2, title: "Equipment and access" });
  });

  it("answers 400 with every issue's path for an invalid template, and for a body naming another id", async () => {
    const id = unique("invalid");
    const invalid = await put(id, {
      ...body(),
      questions: [{ id: "name", text: "Who?", kind: "choice" }, { id: "name", text: "Again?", kind: "rating" }],
      document: { title: "", body: "{{nobody}}" },
    });
    expectProblem(invalid, 400, "request.invalid_body");
    const paths = (invalid.body.issues as { path: string }[]).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["questions.0.options", "questions.1.kind", "document.title"]));

    const mismatch = await put(id, { ...body(), id: unique("other") });
    expectProblem(mismatch, 400, "template.id_mismatch");
    expect(mismatch.body.issues).toEqual([{ path: "id", message: expect.any(String) }]);

    expectProblem(await put(id, undefined, { body: "{not json", headers: { "content-type": "application/json" } }), 400, "request.malformed_json");
    expectProblem(await local.api.get(`/api/templates/${id}`, { as: newUser() }), 404, "template.not_found");
  });

  it("refuses users and callers without credentials on the operator routes", async () => {
    const id = unique("refused");
    const user = newUser();
    expectProblem(await local.api.call("PUT", `/api/templates/${id}`, { as: user, json: body() }), 401, "auth.api_key_required");
    expectProblem(await local.api.call("PUT", `/api/templates/${id}`, { json: body() }), 401, "auth.missing_credentials");
    expectOk(await put(id, body()), 201);
    expectProblem(await local.api.delete(`/api/templates/${id}`, { as: user }), 401, "auth.api_key_required");
    expectOk(await local.api.get(`/api/templates/${id}`, { as: user }));
  });
});

describe("users read templates", () => {
  it("gets the latest version, a pinned one with ?version=, and 404 for what does not exist", async () => {
    const id = unique("read");
    const user = newUser();
    const v1 = (await put(id, body("One"))).body;
    const v2 = (await put(id, body("Two"))).body;

    const latest = await local.api.get(`/api/templates/${id}`, { as: user });
    expectOk(latest);
    expect(latest.body).toEqual(v2);
    expect((await local.api.get(`/api/templates/${id}?version=1`, { as: user })).body).toEqual(v1);

    expectProblem(await local.api.get(`/api/templates/${id}?version=3`, { as: user }), 404, "template.not_found");
    expectProblem(await local.api.get(`/api/templates/${id}?version=latest`, { as: user }), 400, "request.invalid_query");
    expectProblem(await local.api.get(`/api/templates/${unique("unknown")}`, { as: user }), 404, "template.not_found");
    // Not a template id at all: it names nothing.
    expectProblem(await local.api.get("/api/templates/Not_An_Id", { as: user }), 404, "route.not_found");
    expectProblem(await local.api.get(`/api/templates/${id}`), 401, "auth.missing_token");
  });

  it("lists templates by id with their latest versions, paging with a cursor bound to the list", async () => {
    const prefix = unique("paged");
    const user = newUser();
    for (const suffix of ["b", "a", "c"]) expectOk(await put(`${prefix}-${suffix}`, body()), 201);
    expectOk(await put(`${prefix}-a`, body("Second")), 201);

    const mine = (await listAll(user, 2)).filter((summary) => summary.id.startsWith(prefix));
    expect(mine.map((summary) => summary.id)).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
    expect(mine[0]).toMatchObject({ version: 2, title: "Second", questionCount: 3 });
    expect(mine[0]).not.toHaveProperty("questions");

    const foreign = craftCursor({ pk: "SESSION#x", sk: "SESSION", gsi1pk: `USER#${user}`, gsi1sk: "active#x" });
    expectProblem(await local.api.get(`/api/templates?cursor=${foreign}`, { as: user }), 400, "cursor.invalid");
    expectProblem(await local.api.get("/api/templates?limit=0", { as: user }), 400, "request.invalid");
  });
});

describe("operators delete templates", () => {
  it("answers 204, then 404 for the latest and the list, while a pinned version stays readable", async () => {
    const id = unique("deleted");
    const user = newUser();
    const v1 = (await put(id, body())).body;
    const removed = await local.api.delete(`/api/templates/${id}`, asOperator());
    expectOk(removed, 204);
    expect(removed.text).toBe("");

    expectProblem(await local.api.get(`/api/templates/${id}`, { as: user }), 404, "template.not_found");
    expect((await local.api.get(`/api/templates/${id}?version=1`, { as: user })).body).toEqual(v1);
    expect((await listAll(user, 100)).map((summary) => summary.id)).not.toContain(id);
    expectProblem(await local.api.delete(`/api/templates/${id}`, asOperator()), 404, "template.not_found");

    const back = await put(id, body());
    expectOk(back, 201);
    expect(back.body.version).toBe(2);
  });
});
