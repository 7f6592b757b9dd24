/**
 * Module hooks (node:module register) for the bench process: every import of
 * the functions' AI provider module resolves to the bench's per-turn offline
 * coach instead. A hook, so nothing in the product's source knows the bench.
 */
const PRODUCT = "/packages/functions/src/shared/ai-provider.ts";
const STAND_IN = new URL("./offline-coach-per-turn.ts", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.endsWith(PRODUCT) && context.parentURL !== STAND_IN) return { ...resolved, url: STAND_IN };
  return resolved;
}
