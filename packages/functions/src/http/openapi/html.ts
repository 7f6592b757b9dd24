import { createHash } from "node:crypto";
import type { JsonSchema, OpenApiDocument, Operation, Parameter, Reference, Response } from "./document-types";

/**
 * Renders the OpenAPI document as one static HTML page: operations grouped
 * by tag (method, path, summary, auth, parameters, request body,
 * responses), then the shared schemas. Every piece of text from the
 * document is escaped; the page has no script and loads nothing.
 */

const style = `
:root { color-scheme: light dark; --line: #8884; --muted: #8889; }
body { font: 15px/1.5 system-ui, sans-serif; max-width: 70rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
h1 { margin-bottom: 0; } h2 { margin-top: 2.5rem; border-bottom: 1px solid var(--line); }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #8881; padding: .6rem .8rem; border-radius: 6px; overflow-x: auto; margin: .3rem 0; }
nav ul { columns: 2; padding-left: 1.2rem; } nav li { break-inside: avoid; }
.op { border: 1px solid var(--line); border-radius: 8px; padding: .2rem 1rem .8rem; margin: 1rem 0; }
.op h3 { display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; font-size: 1.05rem; }
.method { font: 700 12px/1 ui-monospace, monospace; padding: .3rem .5rem; border-radius: 4px; color: #fff; background: #555; text-transform: uppercase; }
.get { background: #2f6fb3; } .post { background: #2b8a3e; } .put, .patch { background: #b7791f; } .delete { background: #c92a2a; }
.summary { font-weight: 400; } .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .3rem 0; } th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-top: 1px solid var(--line); }
th { font-weight: 600; } h4 { margin: .8rem 0 .2rem; }
`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);

/** Escaped text, with Markdown-style `code` spans shown as code. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");

const anchor = (prefix: string, name: string) => `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;

const schemaRefPrefix = "#/components/schemas/";

/** JSON, pretty-printed and escaped, with schema `$ref`s linked to the schema's section. */
function jsonHtml(value: unknown, indent = ""): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item) => inner + jsonHtml(item, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([key, item]) => {
      const rendered =
        key === "$ref" && typeof item === "string" && item.startsWith(schemaRefPrefix)
          ? `<a href="#${escapeHtml(anchor("schema", item.slice(schemaRefPrefix.length)))}">${escapeHtml(JSON.stringify(item))}</a>`
          : jsonHtml(item, inner);
      return `${inner}${escapeHtml(JSON.stringify(key))}: ${rendered}`;
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return escapeHtml(JSON.stringify(value) ?? "null");
}

const schemaBlock = (schema: JsonSchema | undefined) => (schema ? `<pre>${jsonHtml(schema)}</pre>` : "");

function authText(document: OpenApiDocument, security: Operation["security"]): string {
  if (security.length === 0) return "none (public)";
  return security
    .map((requirement) =>
      Object.keys(requirement)
        .map((name) => {
          const scheme = document.components.securitySchemes[name];
          const how = scheme?.type === "apiKey" ? `${scheme.name} header` : scheme?.bearerFormat ? `Bearer ${scheme.bearerFormat}` : "Bearer";
          return `<code>${escapeHtml(name)}</code> (${escapeHtml(how)})`;
        })
        .join(" + "),
    )
    .join(" or ");
}

function parametersHtml(parameters: Parameter[] | undefined): string {
  if (!parameters?.length) return "";
  const rows = parameters.map(
    (parameter) =>
      `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${escapeHtml(parameter.in)}</td><td>${parameter.required ? "yes" : "no"}</td>` +
      `<td>${parameter.description ? prose(parameter.description) : ""}<pre>${jsonHtml(parameter.schema)}</pre></td></tr>`,
  );
  return `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function contentHtml(content: Record<string, { schema?: JsonSchema }> | undefined): string {
  if (!content) return "";
  return Object.entries(content)
    .map(([type, media]) => `<div><code>${escapeHtml(type)}</code>${schemaBlock(media.schema)}</div>`)
    .join("");
}

function responsesHtml(document: OpenApiDocument, responses: Operation["responses"]): string {
  const rows = Object.entries(responses).map(([status, response]) => {
    const resolved = resolveResponse(document, response);
    const named = "$ref" in response ? ` <span class="muted">(${escapeHtml(response.$ref.split("/").pop() ?? "")})</span>` : "";
    return `<tr><td><code>${escapeHtml(status)}</code></td><td>${prose(resolved?.description ?? "")}${named}${contentHtml(resolved?.content)}</td></tr>`;
  });
  return `<h4>Responses</h4><table><tbody>${rows.join("")}</tbody></table>`;
}

function resolveResponse(document: OpenApiDocument, response: Response | Reference): Response | undefined {
  if (!("$ref" in response)) return response;
  return document.components.responses[response.$ref.split("/").pop() ?? ""];
}

function operationHtml(document: OpenApiDocument, path: string, method: string, operation: Operation): string {
  const body = operation.requestBody
    ? `<h4>Request body${operation.requestBody.required ? "" : ' <span class="muted">(optional)</span>'}</h4>${contentHtml(operation.requestBody.content)}`
    : "";
  return (
    `<section class="op" id="${escapeHtml(anchor("op", operation.operationId))}">` +
    `<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method)}</span><code>${escapeHtml(path)}</code><span class="summary">${prose(operation.summary)}</span></h3>` +
    `<div><span class="muted">operationId</span> <code>${escapeHtml(operation.operationId)}</code> · <span class="muted">auth</span> ${authText(document, operation.security)}</div>` +
    parametersHtml(operation.parameters) +
    body +
    responsesHtml(document, operation.responses) +
    `</section>`
  );
}

export interface DocsPage {
  html: string;
  /** The CSP source that allows the page's only stylesheet. */
  styleHash: string;
}

export function docsPage(document: OpenApiDocument): DocsPage {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation: operation as Operation })),
  );
  const byTag = document.tags.map((tag) => ({ tag, operations: operations.filter((entry) => entry.operation.tags.includes(tag.name)) }));
  const toc = byTag
    .map(
      ({ tag, operations: list }) =>
        `<li><a href="#${escapeHtml(anchor("tag", tag.name))}">${escapeHtml(tag.name)}</a><ul>${list
          .map((entry) => `<li><a href="#${escapeHtml(anchor("op", entry.operation.operationId))}"><code>${escapeHtml(entry.method.toUpperCase())} ${escapeHtml(entry.path)}</code></a></li>`)
          .join("")}</ul></li>`,
    )
    .join("");
  const sections = byTag
    .map(
      ({ tag, operations: list }) =>
        `<h2 id="${escapeHtml(anchor("tag", tag.name))}">${escapeHtml(tag.name)}</h2>` +
        (tag.description ? `<p>${prose(tag.description)}</p>` : "") +
        list.map((entry) => operationHtml(document, entry.path, entry.method, entry.operation)).join(""),
    )
    .join("");
  const schemas = Object.entries(document.components.schemas)
    .map(([name, schema]) => `<section id="${escapeHtml(anchor("schema", name))}"><h3>${escapeHtml(name)}</h3>${schemaBlock(schema)}</section>`)
    .join("");
  const schemes = Object.entries(document.components.securitySchemes)
    .map(([name, scheme]) => `<tr><td><code>${escapeHtml(name)}</code></td><td>${prose(scheme.description)}</td></tr>`)
    .join("");
  const description = document.info.description
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${prose(paragraph)}</p>`)
    .join("");
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(document.info.title)} — API reference</title><style>${style}</style></head><body>` +
    `<h1>${escapeHtml(document.info.title)}</h1><p class="muted">OpenAPI ${escapeHtml(document.openapi)} · version ${escapeHtml(document.info.version)} · ` +
    `machine-readable: <a href="openapi.json"><code>openapi.json</code></a></p>${description}` +
    `<nav><h2>Operations</h2><ul>${toc}</ul></nav>${sections}` +
    `<h2 id="security">Authentication</h2><table><tbody>${schemes}</tbody></table>` +
    `<h2 id="schemas">Schemas</h2>${schemas}</body></html>\n`;
  return { html, styleHash: `sha256-${createHash("sha256").update(style).digest("base64")}` };
}
