import type { AuthorizerContext } from "./ws-event";

/** What API Gateway answers a refused upgrade with, whatever the authorizer said. */
export const UNAUTHORIZED_BODY = JSON.stringify({ message: "Unauthorized" });

/**
 * Reads an authorizer's answer as API Gateway does: `principalId` and a
 * policy are required; an explicit Deny wins over any Allow; `$connect` is
 * allowed only by an Allow of `execute-api:Invoke` on a resource matching
 * the method ARN (`*` and `?` wildcards); context values must be scalars.
 */
export function authorizerDecision(answer: unknown, methodArn: string): { allowed: true; context: AuthorizerContext } | { allowed: false } | { invalid: string } {
  const principalId = field(answer, "principalId");
  if (typeof principalId !== "string") return { invalid: "no principalId" };
  const statements = field(field(answer, "policyDocument"), "Statement");
  if (statements === undefined) return { invalid: "no policyDocument.Statement" };
  const covers = (statement: unknown) =>
    listOf(field(statement, "Action")).some((action) => action === "*" || action === "execute-api:*" || action === "execute-api:Invoke") &&
    listOf(field(statement, "Resource")).some((resource) => globMatches(resource, methodArn));
  let allowed = false;
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    if (!covers(statement)) continue;
    const effect = field(statement, "Effect");
    if (effect === "Deny") return { allowed: false };
    if (effect === "Allow") allowed = true;
  }
  if (!allowed) return { allowed: false };
  const context = field(answer, "context");
  const passed: AuthorizerContext = {};
  for (const [key, value] of typeof context === "object" && context !== null ? Object.entries(context) : []) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return { invalid: `context.${key} is not a string, number or boolean` };
    passed[key] = value;
  }
  return { allowed: true, context: { ...passed, principalId } };
}

const field = (value: unknown, key: string): unknown => (typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined);
const listOf = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === "string");

function globMatches(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(value);
}
