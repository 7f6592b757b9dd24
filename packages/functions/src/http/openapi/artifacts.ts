import { generateDocument } from "./generate";
import { docsPage } from "./html";

/** What `pnpm openapi` writes (paths from the repository root); the openapi handlers serve these files. */
export const artifactPaths = {
  document: "packages/functions/src/http/openapi/openapi.json",
  docsPage: "packages/functions/src/http/openapi/docs-page.json",
} as const;

export interface Artifact {
  path: string;
  text: string;
}

/** The committed files, as the manifest and the handlers' specs make them now. */
export async function renderArtifacts(): Promise<Artifact[]> {
  const document = await generateDocument();
  const page = docsPage(document);
  return [
    // Pretty-printed so a change to the API shows as a readable diff; served compact.
    { path: artifactPaths.document, text: `${JSON.stringify(document, null, 2)}\n` },
    { path: artifactPaths.docsPage, text: `${JSON.stringify({ html: page.html, styleHash: page.styleHash }, null, 2)}\n` },
  ];
}
