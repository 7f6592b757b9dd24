import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { loadDevIssuer, type DevIssuer } from "../../../local/src/dev-issuer";
import type { LocalStack } from "../../../local/src/stack";

/** A fresh user id per test, so no test sees another's data. */
export const newUser = () => `user-${randomUUID()}`;

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** The raw body text. */
  text: string;
  /** The body parsed as JSON when it is JSON (application/json or application/problem+json), else undefined. */
  body: T;
}

export interface CallOptions {
  /** Sends `Authorization: Bearer <token for this user>`. */
  as?: string;
  /** Sends this exact Authorization header value (wins over `as`). */
  authorization?: string;
  /** Serialized as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent as is (no content-type unless given in headers). */
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** A browser-like origin, so CORS headers are exercised the way a web client triggers them. */
export const ORIGIN = "https://app.example.test";

/** Talks to a running local stack over real HTTP with the platform `fetch`. */
export function apiClient(stack: LocalStack) {
  async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { origin: ORIGIN, ...options.headers };
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    else if (options.as !== undefined) headers.authorization = `Bearer ${stack.issuer.token(options.as)}`;
    let body: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${stack.httpUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const contentType = response.headers.get("content-type") ?? "";
    const body_ = /^application\/(problem\+)?json/.test(contentType) && text ? (JSON.parse(text) as T) : (undefined as T);
    return { status: response.status, headers: response.headers, text, body: body_ };
  }
  return {
    call,
    get: <T = any>(path: string, options?: CallOptions) => call<T>("GET", path, options),
    post: <T = any>(path: string, options?: CallOptions) => call<T>("POST", path, options),
    delete: <T = any>(path: string, options?: CallOptions) => call<T>("DELETE", path, options),
    /** Creates a session for `user` and returns it (asserting the 201). */
    async createSession(user: string, json: unknown = {}): Promise<SessionBody> {
      const response = await call<SessionBody>("POST", "/api/sessions", { as: user, json });
      expect(response.status, response.text).toBe(201);
      return response.body;
    },
  };
}

export type Api = ReturnType<typeof apiClient>;

export interface SessionBody {
  id: string;
  userId: string;
  flow: string;
  phase: string;
  status: "active" | "ended";
  isResolved: boolean;
  resolutionNotes?: string;
  messageCount: number;
  lastActivity: string;
  createdAt: string;
  endedAt?: string;
  resolvedAt?: string;
  metadata: Record<string, unknown>;
  version: number;
}

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The members an RFC 7807 problem of this API may have. */
const PROBLEM_MEMBERS = new Set(["type", "title", "status", "detail", "code", "instance", "traceId", "issues", "allow"]);

/**
 * Asserts a complete problem response: status, media type, every required
 * member, the trace id echoed in `x-trace-id`, and nothing that looks like a
 * stack trace or a server file path.
 */
export function expectProblem(response: ApiResponse, status: number, code: string): void {
  const context = `${status} ${code} ← ${response.status} ${response.text}`;
  expect(response.status, context).toBe(status);
  expect(response.headers.get("content-type"), context).toBe("application/problem+json");
  expect(response.body, context).toMatchObject({
    type: `urn:coach:problem:${code}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    traceId: expect.any(String),
  });
  expect((response.body as { title: string }).title.length, context).toBeGreaterThan(0);
  expect((response.body as { detail: string }).detail.length, context).toBeGreaterThan(0);
  for (const member of Object.keys(response.body as object)) expect(PROBLEM_MEMBERS, `unexpected member "${member}"`).toContain(member);
  expect(response.headers.get("x-trace-id"), context).toBe((response.body as { traceId: string }).traceId);
  expectNoInternals(response.text);
}

/** No stack frames, source files or server paths in what a client sees. */
export function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat \S+ \(|\bat (file:|\/)|\n\s+at /);
  expect(text).not.toMatch(/\/work\/|\/home\/|node_modules|file:\/\/|\.(ts|js|mjs):\d+/);
  expect(text).not.toMatch(/Error:|ValidationException|ECONNREFUSED/);
}

/** Every response, success or error, is readable cross-origin and carries the security headers. */
export function expectStandardHeaders(response: ApiResponse): void {
  expect(response.headers.get("access-control-allow-origin"), "access-control-allow-origin").toBeTruthy();
  expect(response.headers.get("strict-transport-security"), "strict-transport-security").toMatch(/max-age=\d+/);
  expect(response.headers.get("x-content-type-options"), "x-content-type-options").toBe("nosniff");
}

/** A dev issuer with its own, different key pair: what a forger could sign with. */
export function foreignIssuer(): DevIssuer {
  return loadDevIssuer(mkdtempSync(join(tmpdir(), "coach-forger-")));
}

/** The JWT's three parts, decoded where they are JSON. */
export function splitJwt(token: string) {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload), signature, encoded: { header, payload } };
}

export const encodeJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A cursor in the API's wire format, for crafting tampered ones. */
export const craftCursor = (key: Record<string, string>) => encodeJson({ v: 1, k: key });

export const decodeCursor = (cursor: string) =>
  JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { v: number; k: Record<string, string> };
