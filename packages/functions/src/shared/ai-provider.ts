import { selectProvider, type AiProvider } from "@coach/core/ai";

let secretResolved: Promise<void> | undefined;

/**
 * The AI provider for this invocation. On AWS the Anthropic key is an SST
 * Config.Secret bound to the function (fetched from SSM once per cold start
 * by `sst/node/config`); locally and in tests it is the ANTHROPIC_API_KEY
 * variable or absent (the offline coach).
 */
export async function aiProvider(): Promise<AiProvider> {
  secretResolved ??= resolveBoundSecret();
  await secretResolved;
  return selectProvider();
}

async function resolveBoundSecret(): Promise<void> {
  if (process.env.ANTHROPIC_API_KEY || process.env.SST_Secret_value_ANTHROPIC_API_KEY === undefined) return;
  const { Config } = (await import("sst/node/config")) as unknown as { Config: Record<string, string | undefined> };
  const key = Config.ANTHROPIC_API_KEY;
  // SST stores a placeholder until `sst secrets set` has run; that means no key.
  if (key && key !== "__FETCH_FROM_SSM__") process.env.ANTHROPIC_API_KEY = key;
}
