import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, afterEach, beforeAll } from "vitest";
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type WebSocketRoute } from "playwright-core";
import { HANG_CEILING_MS } from "../../../../test/ceiling";
import { testStackConfig } from "../../../../test/env";
import { replyGate } from "../../../../test/offline-coach-per-turn";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";

/**
 * The browser tests' harness: one local stack (handlers in-process, serving
 * the built web app) and ONE Chromium per test file, a fresh browser context
 * per signed-in user. Debian's Chromium, driven by playwright-core (which
 * cannot download a browser of its own here): `CHROMIUM_PATH`, or `chromium`
 * on PATH (.ci/run installs it with apt when it is missing).
 *
 * A test file that holds replies mid-stream also mocks the AI provider with
 * the per-turn double, before importing this:
 *
 *   vi.mock("@coach/functions/shared/ai-provider", () => import("<repo>/test/offline-coach-per-turn"));
 */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH?.trim();
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  try {
    return execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("Chromium is not installed: `apt-get install -y chromium` (as .ci/run does), or set CHROMIUM_PATH to a Chromium or Chrome binary");
  }
}

/** The size of every page, and of the README's screenshot. */
export const VIEWPORT = { width: 1280, height: 900 };

export interface SignInOptions {
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
  /** Proxy the page's WebSockets through Playwright, so that `dropWebSockets` can cut them. */
  droppable?: boolean;
}

export interface SignedIn {
  user: string;
  context: BrowserContext;
  page: Page;
  /** A token of the same user from the dev issuer, for checks through the REST API. */
  token: string;
  /** GET (or another method) on the REST API as this user; throws on a non-2xx answer. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /**
   * Cuts the page's open WebSockets as a network drop would, and refuses new
   * ones until `restoreWebSockets`: "reconnecting" is a state the test holds,
   * not a race with the client's backoff. (The page's sockets go through
   * Playwright's WebSocket routing, to the real server.) Resolves to the
   * number of sockets cut.
   */
  dropWebSockets(): Promise<number>;
  restoreWebSockets(): void;
}

export interface BrowserStack {
  readonly stack: LocalStack;
  readonly webUrl: string;
  readonly browser: Browser;
  /** A new browser context (its own storage) of a new user, on the app, signed in through the form. */
  signIn(user: string, options?: SignInOptions): Promise<SignedIn>;
  /** What the pages of this file threw or logged as errors, for a failure's message. */
  readonly pageErrors: string[];
}

export function useBrowserStack(): BrowserStack {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Launched beside the stack's start: both take a while, neither needs the other.
    const [started, launched] = await Promise.all([
      startLocalStack({ ...testStackConfig(), ...webOption }),
      chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox", "--disable-dev-shm-usage"], timeout: HANG_CEILING_MS }),
    ]);
    stack = started;
    browser = launched;
    if (!webUrlOf(stack)) throw new Error("startLocalStack did not serve the web app (no stack.webUrl): is packages/web built (packages/web/dist)?");
  });

  afterEach(async () => {
    replyGate.open();
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    replyGate.open();
    await browser?.close();
    await stack?.stop();
  });

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the browser stack is used before beforeAll started it");
    return value;
  };

  return {
    get stack() {
      return ready(stack);
    },
    get webUrl() {
      return ready(webUrlOf(ready(stack)));
    },
    get browser() {
      return ready(browser);
    },
    pageErrors,
    async signIn(user, options = {}) {
      const context = await ready(browser).newContext({ viewport: options.viewport ?? VIEWPORT, colorScheme: options.colorScheme ?? "light", acceptDownloads: true });
      contexts.push(context);
      context.setDefaultTimeout(HANG_CEILING_MS);
      context.setDefaultNavigationTimeout(HANG_CEILING_MS);
      const page = await context.newPage();
      const sockets = new Set<WebSocketRoute>();
      let offline = false;
      const cut = (route: WebSocketRoute) => route.close({ code: 4000, reason: "dropped by the test" });
      if (options.droppable) {
        await page.routeWebSocket(/^ws:/, async (route) => {
          if (offline) return cut(route);
          route.connectToServer();
          sockets.add(route);
        });
      }
      const dropWebSockets = async () => {
        if (!options.droppable) throw new Error(`dropWebSockets: sign ${user} in with { droppable: true }`);
        offline = true;
        const open = [...sockets];
        sockets.clear();
        await Promise.all(open.map(cut));
        return open.length;
      };
      const restoreWebSockets = () => {
        offline = false;
      };
      page.on("pageerror", (error) => pageErrors.push(`${user}: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") pageErrors.push(`${user} (console): ${message.text()}`);
      });
      await page.goto(this.webUrl);
      await page.getByRole("textbox", { name: "User name" }).fill(user);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      const token = ready(stack).issuer.token(user);
      const httpUrl = ready(stack).httpUrl;
      const api = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${httpUrl}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
        });
        if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path} as ${user}: ${response.status} ${await response.text()}`);
        return response;
      };
      return { user, context, page, token, api, dropWebSockets, restoreWebSockets };
    },
  };
}

/** What the stack's configuration needs to also serve packages/web/dist on a free port. */
const webOption = { webPort: 0 } as Record<string, unknown>;
const webUrlOf = (stack: LocalStack) => (stack as LocalStack & { webUrl?: string }).webUrl;

/** Waits until `read` gives a value `ok` accepts; HANG_CEILING_MS is a ceiling for a hang, never a verdict on speed. */
export async function eventually<T>(what: string, read: () => T | Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + HANG_CEILING_MS;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${HANG_CEILING_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

/** Waits until the locator's text (all of it, whitespace collapsed) satisfies `ok`. */
export function textOf(locator: Locator, what: string, ok: (text: string) => boolean): Promise<string> {
  return eventually(what, async () => ((await locator.count()) ? (await locator.allInnerTexts()).join("\n").replace(/\s+/g, " ").trim() : ""), ok);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; summary: string }[];
}

/**
 * Runs axe-core on the page as it is now and fails on any `serious` or
 * `critical` violation, listing each rule with the elements it found.
 */
export async function axeCheck(page: Page, where: string): Promise<void> {
  // Runs in the page; the root tsconfig has no DOM library, hence globalThis.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const page = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: object): Promise<{ violations: any[] }> } };
    const result = await page.axe.run(page.document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id as string,
      impact: v.impact as string | null,
      help: v.help as string,
      helpUrl: v.helpUrl as string,
      nodes: (v.nodes as any[]).map((n) => ({ target: (n.target as string[]).join(" "), html: String(n.html).slice(0, 160), summary: String(n.failureSummary ?? "") })),
    }));
  });
  const blocking = violations.filter((v: AxeViolation) => v.impact === "serious" || v.impact === "critical");
  if (blocking.length === 0) return;
  const list = blocking
    .map((v: AxeViolation) => `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${n.target}  ${n.html}\n      ${n.summary.replace(/\n/g, "\n      ")}`).join("\n")}`)
    .join("\n");
  throw new Error(`axe-core: ${blocking.length} serious or critical accessibility violation(s) ${where}:\n${list}`);
}

/**
 * Presses Tab until `target` has the focus, as a keyboard user reaches it;
 * fails if it is not reachable within `limit` presses.
 */
export async function tabTo(page: Page, target: Locator, limit = 60): Promise<void> {
  const handle = await target.elementHandle();
  if (!handle) throw new Error(`tabTo: ${target} is not on the page`);
  for (let i = 0; i < limit; i++) {
    if (await handle.evaluate((element) => element === (element.ownerDocument as { activeElement: unknown }).activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`tabTo: ${target} was not reached by ${limit} presses of Tab`);
}
