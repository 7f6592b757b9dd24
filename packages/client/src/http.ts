/**
 * The REST plumbing shared by the typed clients: the platform `fetch`
 * (global in browsers and Node 18+), bearer auth, JSON bodies, and RFC 7807
 * problems turned into a typed `ApiError`. No Node built-ins, no server code.
 */

/** An RFC 7807 problem as the API sends it (`application/problem+json`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable, machine-readable: `session.not_found`, `cursor.invalid`, `request.malformed_json`, … */
  code: string;
  instance?: string;
  /** Finds the request in the server's logs (also in the `x-trace-id` header). */
  traceId: string;
  /** Extensions, e.g. `retryable`, `retryAfter`, `issues`. */
  [extension: string]: unknown;
}

/** A non-2xx answer of the API, with its problem details. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly traceId: string | undefined;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.problem = problem;
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.traceId = problem.traceId || undefined;
  }

  /** Whether sending the same request again may succeed (5xx, 429, or the problem says so). */
  get retryable(): boolean {
    if (typeof this.problem.retryable === "boolean") return this.problem.retryable;
    return this.status >= 500 || this.status === 429;
  }
}

/** A token, or a function that returns a fresh one (called before every request and every WebSocket connect). */
export type TokenSource = { token: string; getToken?: undefined } | { getToken: () => string | Promise<string>; token?: undefined };

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** e.g. `http://127.0.0.1:3000` or `https://api.example.com/prod`; routes are appended (`/api/sessions`). */
  baseUrl: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Return the body as text instead of parsing JSON. */
  text?: boolean;
  /** Return the body as a Blob (bytes: a PDF download) instead of parsing JSON. */
  blob?: boolean;
  /**
   * The `Accept` header. A binary download names its type first: API Gateway
   * sends bytes only for a binary media type the first `Accept` type names.
   */
  accept?: string;
  signal?: AbortSignal;
}

export interface HttpResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export class HttpClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(
    private readonly options: HttpOptions,
    private readonly authHeaders: () => Promise<Record<string, string>>,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    const platformFetch = (globalThis as { fetch?: FetchLike }).fetch;
    const fetchImpl = options.fetch ?? platformFetch?.bind(globalThis);
    if (!fetchImpl) throw new Error("No fetch available: pass { fetch } (Node 18+ and browsers have one built in)");
    this.fetchImpl = fetchImpl;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = {
      accept: options.accept ?? "application/json, application/problem+json;q=0.9, */*;q=0.1",
      ...this.options.headers,
      ...(await this.authHeaders()),
    };
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;
    const url = this.baseUrl + path + queryString(options.query);
    let response: Response;
    try {
      response = await this.fetchImpl(url, init);
    } catch (error) {
      // A pooled connection the server closed while idle fails the request written into it (undici:
      // `other side closed`). Only a request that means the same sent twice may go again; a POST that
      // needs this carries its own idempotency key and retries itself (`sendMessage`).
      if (!IDEMPOTENT_METHODS.has(method.toUpperCase()) || !isConnectionReset(error) || options.signal?.aborted) throw error;
      response = await this.fetchImpl(url, init);
    }
    if (!response.ok) throw new ApiError(problemOf(response, await response.text(), path));
    if (options.blob) return { status: response.status, body: (await response.blob()) as T, headers: response.headers };
    const text = await response.text();
    if (options.text) return { status: response.status, body: text as T, headers: response.headers };
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
  }
}

/** RFC 9110 §9.2.2: sending one of these twice has the effect of sending it once. */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/** The connection dropped under the request (Node's fetch puts the socket error in `cause`); browsers do not say, so nothing there counts. */
function isConnectionReset(error: unknown): boolean {
  let cause = error;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || /other side closed/i.test(cause.message)) return true;
    cause = cause.cause;
  }
  return false;
}

export const bearer = (source: TokenSource) => async (): Promise<Record<string, string>> => {
  const token = source.getToken ? await source.getToken() : source.token;
  if (!token) throw new Error("No token: pass { token } or { getToken }");
  return { authorization: `Bearer ${token}` };
};

/**
 * The file name a download's `Content-Disposition` gives: `filename*` (RFC 8187, UTF-8) before
 * `filename`. Undefined without one, or when the header cannot be read (cross-origin, a browser
 * shows only the headers the API exposes).
 */
export function fileNameOf(headers: Headers): string | undefined {
  const disposition = headers.get("content-disposition");
  if (!disposition) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim());
    } catch {
      // A malformed encoding: the plain filename, if any, still names it.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(disposition);
  const name = plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2];
  return name || undefined;
}

/** `/api/sessions/{id}` segments are encoded; ids never contain `/`. */
export const seg = (value: string) => encodeURIComponent(value);

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

function problemOf(response: Response, text: string, path: string): Problem {
  const traceId = response.headers.get("x-trace-id") ?? "";
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === "object" && typeof (parsed as Problem).code === "string") {
    const problem = parsed as Problem;
    return { ...problem, status: typeof problem.status === "number" ? problem.status : response.status, traceId: problem.traceId ?? traceId };
  }
  // Not a problem document (a proxy's error page, API Gateway's own 403 `{message}`, …): make one.
  const message = parsed && typeof parsed === "object" && typeof (parsed as { message?: unknown }).message === "string" ? (parsed as { message: string }).message : undefined;
  return {
    type: "about:blank",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: message ?? (text.slice(0, 500) || response.statusText || `HTTP ${response.status}`),
    code: `http.${response.status}`,
    instance: path,
    traceId,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fresh idempotency key: `crypto.randomUUID()` (browsers, Node 19+), else random hex. */
export function newClientMessageId(): string {
  const cryptoLike = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (cryptoLike?.randomUUID) return cryptoLike.randomUUID();
  let id = "";
  for (let i = 0; i < 4; i++) id += Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, "0");
  return id;
}
