import OpenAI from "openai";
import { expect } from "vitest";
import type { LocalStack } from "../../../local/src/stack";
import { HANG_CEILING_MS } from "../../../../test/ceiling";

/** What the offline provider answers to a user message (it echoes). */
export const offlineReply = (message: string) => `You said: "${message}". I'm the offline assistant; set ANTHROPIC_API_KEY for real answers.`;

/** How many deltas the offline provider streams a reply in (one per word, its space kept). */
export const deltasOf = (text: string) => text.split(/(?<=\s)/).length;

/** Waits for a state, polling; only the ceiling (a hang) fails it, never how fast the machine gets there. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + HANG_CEILING_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The official OpenAI client pointed at the local runtime; no retries, so every failure shows as it happened. */
export function openAiClient(stack: LocalStack, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${stack.httpUrl}/v1`, apiKey, maxRetries: 0, timeout: HANG_CEILING_MS });
}

/** A client that sends no Authorization header at all (the client wants a key; the null header drops it from the request). */
export function anonymousClient(stack: LocalStack): OpenAI {
  return new OpenAI({
    baseURL: `${stack.httpUrl}/v1`,
    apiKey: "unused",
    defaultHeaders: { authorization: null },
    maxRetries: 0,
    timeout: HANG_CEILING_MS,
    fetch: (url, init) => {
      expect(new Headers(init?.headers).has("authorization")).toBe(false);
      return fetch(url, init);
    },
  });
}

/** What the client parsed from an error response, with the error's class. */
export async function apiErrorOf(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(OpenAI.APIError);
    return error as InstanceType<typeof OpenAI.APIError>;
  }
  throw new Error("expected the request to fail");
}

/** OpenAI's error body: exactly `{error: {message, type, param, code}}`. */
export function expectOpenAiErrorBody(body: unknown, expected: { type?: string; code?: string | null; param?: string | null } = {}): void {
  expect(Object.keys(body as object)).toEqual(["error"]);
  const error = (body as { error: Record<string, unknown> }).error;
  expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof error.message).toBe("string");
  expect((error.message as string).length).toBeGreaterThan(0);
  expect(typeof error.type).toBe("string");
  if (expected.type !== undefined) expect(error.type).toBe(expected.type);
  if (expected.code !== undefined) expect(error.code).toBe(expected.code);
  if (expected.param !== undefined) expect(error.param).toBe(expected.param);
}

/** Days around today (UTC), so a report brackets every count made during the test even across midnight. */
export function reportWindow(): { from: string; to: string } {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return { from: day(-1), to: day(1) };
}

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** GET /api/usage for the caller behind `authorization` (a JWT or an API key), over the window around today. */
export async function usageOf(stack: LocalStack, authorization: string): Promise<{ totals: UsageTotals; days: (UsageTotals & { date: string; model: string })[] }> {
  const { from, to } = reportWindow();
  const response = await fetch(`${stack.httpUrl}/api/usage?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${authorization}` } });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text);
}
