import "../packages/functions/src/http/openapi/offline-env";
import { writeFileSync } from "node:fs";
import { renderArtifacts } from "../packages/functions/src/http/openapi/artifacts";

/**
 * `pnpm openapi`: regenerates the OpenAPI document and the HTML reference
 * from the route manifest and the handlers' specs, into the committed files
 * that `GET /api/openapi.json` and `GET /api/docs` serve. Run it after
 * changing a route; packages/functions/test/openapi fails until you do.
 */
const repoRoot = new URL("../", import.meta.url);
for (const { path, text } of await renderArtifacts()) {
  writeFileSync(new URL(path, repoRoot), text);
  console.log(`wrote ${path}`);
}
// Handler modules hold SDK clients and caches that would keep the process alive.
process.exit(0);
