import { AsyncLocalStorage } from "node:async_hooks";
import { VisibleError } from "../error";

/**
 * Who is calling. Set once by the transport, asserted in core, so every
 * transport gets the same authorization.
 */
export type Actor = { type: "user"; userId: string } | { type: "apiKey"; keyId: string; name: string } | { type: "system" };

const storage = new AsyncLocalStorage<Actor>();

export function withActor<T>(actor: Actor, fn: () => T): T {
  return storage.run(actor, fn);
}

export function currentActor(): Actor {
  const actor = storage.getStore();
  if (!actor) throw new Error("No actor in context: the transport must call withActor first");
  return actor;
}

/** The calling user's id; anything else calling a user-scoped verb is a bug or an attack. */
export function assertUserId(): string {
  const actor = currentActor();
  if (actor.type !== "user") throw new VisibleError("unauthorized", "actor.not_user", "This operation needs a user");
  return actor.userId;
}

/** The calling machine client's key; tracking verbs are for API keys only. */
export function assertApiKey(): { keyId: string; name: string } {
  const actor = currentActor();
  if (actor.type !== "apiKey") throw new VisibleError("unauthorized", "actor.not_api_key", "This operation needs an API key");
  return { keyId: actor.keyId, name: actor.name };
}
