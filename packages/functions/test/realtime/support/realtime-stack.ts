import { afterAll, afterEach, beforeAll } from "vitest";
import { testStackConfig } from "../../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../../local/src/stack";
import { apiClient, type Api } from "../../support/api";
import { closeAllClients, expectCleanTraffic, RealtimeClient } from "./ws-client";

export interface RealtimeStack {
  readonly stack: LocalStack;
  readonly api: Api;
  /** A WebSocket client of the user, checked for clean traffic and closed after each test. */
  connect(user: string): Promise<RealtimeClient>;
}

/**
 * One local stack per test file (the handlers and worker run in-process),
 * with the checks every realtime test shares: after each test, no client saw
 * a frame that is not a ServerEvent or an `internal` error, and the offline
 * coach's per-turn knobs are reset.
 */
export function useRealtimeStack(): RealtimeStack {
  let stack: LocalStack | undefined;
  let api: Api | undefined;
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    stack = await startLocalStack(testStackConfig());
    api = apiClient(stack);
  });

  afterEach(async () => {
    delete process.env.OFFLINE_COACH_DELAY_MS;
    delete process.env.OFFLINE_COACH_FAIL_AFTER;
    expectCleanTraffic(...clients.splice(0));
    await closeAllClients();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the realtime stack is used before beforeAll started it");
    return value;
  };
  return {
    get stack() {
      return ready(stack);
    },
    get api() {
      return ready(api);
    },
    async connect(user) {
      const client = await RealtimeClient.connect(ready(stack), user);
      clients.push(client);
      return client;
    },
  };
}
