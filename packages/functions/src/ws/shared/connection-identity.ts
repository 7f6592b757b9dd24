import * as z from "@coach/core/zod";

/**
 * Who a connection belongs to: the `context` the `$connect` authorizer
 * returns, which API Gateway then passes in `requestContext.authorizer` of
 * every event of that connection (next to the `principalId`).
 */
export const ConnectionIdentity = z.object({ userId: z.string().check(z.minLength(1)) });
export type ConnectionIdentity = z.infer<typeof ConnectionIdentity>;

/** The identity in an event's `requestContext.authorizer`; `undefined` when there is none or it is malformed. */
export function identityOf(requestContext: object): ConnectionIdentity | undefined {
  const parsed = ConnectionIdentity.safeParse("authorizer" in requestContext ? requestContext.authorizer : undefined);
  return parsed.success ? parsed.data : undefined;
}
