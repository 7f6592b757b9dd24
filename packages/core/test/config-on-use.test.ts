import { afterEach, describe, expect, it, vi } from "vitest";

/** `config()` is the process's: each test gets a fresh module graph and its own environment. */
async function freshConfig(env: Record<string, string>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return import("@coach/core/config");
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("the process's config, read on use", () => {
  it("reads a section a function uses even when one it never reads is wrong", async () => {
    const { config } = await freshConfig({ RATE_LIMIT_USER_PER_MINUTE: "lots" });
    expect(config().table.tableName).toBe(process.env.TABLE_NAME);
  });

  it("fails the first read of a wrong section with every bad variable of the environment named", async () => {
    const { config, ConfigError } = await freshConfig({ RATE_LIMIT_USER_PER_MINUTE: "lots", TURN_LOCK_SECONDS: "1.5" });
    const read = () => config().rateLimit;
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/RATE_LIMIT_USER_PER_MINUTE[\s\S]*TURN_LOCK_SECONDS|TURN_LOCK_SECONDS[\s\S]*RATE_LIMIT_USER_PER_MINUTE/);
  });
});
