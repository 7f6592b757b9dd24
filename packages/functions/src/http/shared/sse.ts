import { logger } from "../../shared/logger";

/**
 * A streamed body that stops the reply as soon as the response stream is
 * torn down before the end. Node destroys a `Readable.from` body by calling
 * the iterator's `throw()` or `return()`, which on an async generator wait
 * behind a pending `next()`: behind the provider's next delta, possibly
 * minutes away (or never, for a reply that is held). So the abort comes
 * first, here; then the body is closed and `afterTeardown` runs (it closes
 * what the body wraps: a body torn down before its first step never reached
 * its own cleanup). Readable.from also calls `return()` after a body that
 * ran to its end: nothing is aborted then, and `afterTeardown` still runs.
 */
export function stoppedOnTeardown(body: AsyncGenerator<string>, stop: AbortController, afterTeardown: () => Promise<void>): AsyncIterable<string> {
  let ended = false;
  const close = async (): Promise<IteratorReturnResult<undefined>> => {
    if (!ended) stop.abort(new Error("The response stream was torn down before the reply ended"));
    ended = true;
    try {
      await body.return(undefined);
      await afterTeardown();
    } catch (error) {
      // Thrown back into a stream being destroyed, it would surface as an error nobody handles.
      logger.error("closing a streamed response failed", { error: error as Error });
    }
    return { done: true, value: undefined };
  };
  return {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const result = await body.next();
        if (result.done) ended = true;
        return result;
      },
      return: close,
      // The error is the response stream's, not the reply's: the body just ends, without an in-band error event.
      throw: close,
    }),
  };
}
