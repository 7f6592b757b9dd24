import { afterAll, beforeAll } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { apiClient, type Api } from "./api";

/** One local stack for the test file (started before its tests, stopped after), with an API client on it. */
export function useLocalStack(): { readonly stack: LocalStack; readonly api: Api } {
  let stack: LocalStack | undefined;
  let api: Api | undefined;
  beforeAll(async () => {
    stack = await startLocalStack(testStackConfig());
    api = apiClient(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the local stack is used before beforeAll started it");
    return value;
  };
  return {
    get stack() {
      return ready(stack);
    },
    get api() {
      return ready(api);
    },
  };
}
