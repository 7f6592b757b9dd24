import "../../src/http/openapi/offline-env";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * `GET /api/openapi.json` and `GET /api/docs` serve files that `pnpm openapi`
 * writes from the route manifest and the handlers' specs. A route or schema
 * changed without regenerating them fails here.
 */
const repoRoot = new URL("../../../../", import.meta.url);

describe("the committed OpenAPI files", () => {
  it("are what `pnpm openapi` generates from the manifest and the handlers now", async () => {
    const { renderArtifacts } = await import("../../src/http/openapi/artifacts");
    for (const { path, text } of await renderArtifacts()) {
      const committed = readFileSync(new URL(path, repoRoot), "utf8");
      expect(committed === text, `${path} is stale: run \`pnpm openapi\` and commit the result`).toBe(true);
    }
  });

  it("serve the document compact, byte for byte what the generator builds", async () => {
    const [{ generateDocument }, { default: committed }] = await Promise.all([
      import("../../src/http/openapi/generate"),
      import("../../src/http/openapi/openapi.json", { with: { type: "json" } }),
    ]);
    expect(JSON.stringify(committed)).toBe(JSON.stringify(await generateDocument()));
  });
});
