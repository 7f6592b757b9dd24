import { randomUUID } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import type { Problem } from "@coach/functions/http/shared/problem";
import { DEV_USER_ID, type DevIssuer } from "./dev-issuer";
import { serverTimeouts } from "./server-timeouts";

/** The dev sign-in's token lifetime: an hour, renewed by the app before it lapses. */
const DEV_TOKEN_SECONDS = 3600;
/** A sign-in body is a user name: anything longer is not one. */
const MAX_SIGN_IN_BYTES = 4096;

/** What the app reads as `/config.json` (packages/web/src/config.ts): where the stack is, and the dev sign-in. */
export interface WebAppConfig {
  apiUrl: string;
  wsUrl: string;
}

export interface WebServerOptions {
  distDir: string;
  issuer: DevIssuer;
  /** Read per request: the API's URLs are known once its servers listen, after this one. */
  appConfig: () => WebAppConfig;
  log: (line: string) => void;
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The web app as the deployed site serves it (S3 + CloudFront: the files of
 * `dist/`, index.html for any other path, so /callback reaches the app), plus
 * what only the local runtime has: `/config.json` pointing the app at this
 * stack, and `POST /dev/token`, the dev issuer signing a token for a user
 * name. No deployed stage serves either; the deployed build has its API and
 * OIDC settings baked in.
 */
export function createWebServer(options: WebServerOptions): Server {
  return createServer(serverTimeouts, (request, response) => {
    serve(request, response, options).catch((error: unknown) => {
      const traceId = randomUUID();
      options.log(`web app server error (trace ${traceId}): ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) sendProblem(response, 500, "internal", "The local web server failed; its log has the error under this trace id", traceId);
      else response.destroy();
    });
  });
}

async function serve(request: IncomingMessage, response: ServerResponse, options: WebServerOptions): Promise<void> {
  const method = request.method ?? "GET";
  const path = (request.url ?? "/").split("?")[0]!;
  if (path === "/dev/token") {
    if (method !== "POST") return sendProblem(response, 405, "route.method_not_allowed", "Use POST /dev/token {\"userId\": \"…\"}", randomUUID(), { allow: "POST" });
    return issueToken(request, response, options);
  }
  if (method !== "GET" && method !== "HEAD") return sendProblem(response, 405, "route.method_not_allowed", `${method} is not allowed on ${path}`, randomUUID(), { allow: "GET, HEAD" });
  if (path === "/config.json") {
    const config = { ...options.appConfig(), auth: { kind: "dev", tokenUrl: "/dev/token" } };
    return send(response, 200, { "content-type": contentTypes[".json"]!, "cache-control": "no-store" }, method === "HEAD" ? undefined : JSON.stringify(config));
  }
  const file = fileFor(options.distDir, path);
  // An asset that is not there is a 404 (a stale tab asking for an old hash), any other path is the app's.
  if (!file && path.startsWith("/assets/")) return sendProblem(response, 404, "route.not_found", `No file ${path}`, randomUUID());
  const served = file ?? join(options.distDir, "index.html");
  if (!existsSync(served)) return sendProblem(response, 503, "web.not_built", "packages/web is not built: run pnpm build:web", randomUUID());
  const headers = {
    "content-type": contentTypes[extname(served)] ?? "application/octet-stream",
    "content-length": String(statSync(served).size),
    // Hashed file names never change; index.html names the current ones.
    "cache-control": served.includes(`${sep}assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
  response.writeHead(200, headers);
  if (method === "HEAD") return void response.end();
  await new Promise<void>((resolve, reject) => createReadStream(served).once("error", reject).once("close", resolve).pipe(response));
}

/** The file of `dist/` that `path` names, if it is one; never anything outside `dist/`. */
function fileFor(distDir: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const candidate = normalize(join(distDir, decoded));
  if (!candidate.startsWith(distDir + sep)) return undefined;
  return existsSync(candidate) && statSync(candidate).isFile() ? candidate : undefined;
}

async function issueToken(request: IncomingMessage, response: ServerResponse, options: WebServerOptions): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_SIGN_IN_BYTES) chunks.push(chunk);
  }
  if (size > MAX_SIGN_IN_BYTES) return sendProblem(response, 413, "request.too_large", `A sign-in body is at most ${MAX_SIGN_IN_BYTES} bytes`, randomUUID());
  let userId: unknown;
  try {
    userId = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { userId?: unknown } | null)?.userId;
  } catch {
    return sendProblem(response, 400, "request.invalid_json", 'The body is not JSON: send {"userId": "…"}', randomUUID());
  }
  if (typeof userId !== "string" || !DEV_USER_ID.test(userId)) {
    return sendProblem(response, 400, "request.invalid", "userId: 1 to 128 letters, digits or _ . @ : -", randomUUID());
  }
  const token = options.issuer.token(userId, { expiresInSeconds: DEV_TOKEN_SECONDS });
  options.log(`POST /dev/token → a token for ${userId}`);
  send(response, 200, { "content-type": contentTypes[".json"]!, "cache-control": "no-store" }, JSON.stringify({ token, expiresIn: DEV_TOKEN_SECONDS, userId }));
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  response.writeHead(status, { "x-content-type-options": "nosniff", ...headers });
  response.end(body);
}

function sendProblem(response: ServerResponse, status: number, code: string, detail: string, traceId: string, headers: Record<string, string> = {}): void {
  const problem: Problem = { type: `urn:coach:problem:${code}`, title: STATUS_CODES[status] ?? "Error", status, detail, code, traceId };
  send(response, status, { "content-type": "application/problem+json", "x-trace-id": traceId, ...headers }, JSON.stringify(problem));
}
