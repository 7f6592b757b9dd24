import { claudeProvider, loadClaudeConfig, selectProvider, type AiProvider } from "@coach/core/ai";
import { boundAnthropicApiKey, config } from "@coach/core/config";

let provider: Promise<AiProvider> | undefined;

/**
 * The AI provider for this invocation. On AWS the Anthropic key is an SST
 * Config.Secret bound to the function, read from SSM once per cold start;
 * locally and in tests it is the ANTHROPIC_API_KEY variable or absent (the
 * offline coach).
 */
export async function aiProvider(): Promise<AiProvider> {
  if (config().claude) return selectProvider();
  provider ??= fromBoundSecret().catch((error: unknown) => {
    provider = undefined;
    throw error;
  });
  return provider;
}

async function fromBoundSecret(): Promise<AiProvider> {
  const key = await boundAnthropicApiKey(config().secretStore);
  // The key joins the other ANTHROPIC_* settings, read by the same reader.
  return key ? claudeProvider(loadClaudeConfig({ ...process.env, ANTHROPIC_API_KEY: key })) : selectProvider();
}
