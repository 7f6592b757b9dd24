import { chat } from "@coach/core/chat";
import * as Responses from "@coach/core/responses";
import { open as openResponse } from "@coach/core/responses/create";
import { aiProvider } from "../../../shared/ai-provider";
import { logger } from "../../../shared/logger";
import { openAiErrorFor } from "../../shared/openai-error";
import { httpRoute } from "../../shared/route";
import { stoppedOnTeardown } from "../../shared/sse";

/**
 * OpenAI's Responses API over the same providers as the coach. A stored
 * response (the default for a user) is a turn of one of the caller's
 * sessions, and `previous_response_id` continues it; `stream: true` answers
 * with OpenAI's typed Server-Sent Events (`event:` and `data:` lines), from
 * `response.created` to `response.completed` (or `response.failed` and
 * `error`). A client that goes away mid-stream stops the provider.
 * Parameters the model rejects are not sent; `x-coach-ignored-params` names them.
 */
export const handler = httpRoute(
  "POST /v1/responses",
  {
    body: Responses.CreateResponse,
    errors: "openai",
    maxBodyBytes: 1024 * 1024,
    summary: "Create a model response (OpenAI's Responses API; SSE when stream is true)",
    response: { schema: Responses.ResponseObject },
  },
  async ({ body, event }) => {
    const response = await openResponse(body, { provider: await aiProvider(), flow: chat });
    const headers: Record<string, string> = response.ignored.length ? { "x-coach-ignored-params": response.ignored.join(", ") } : {};
    if (!body.stream) return { headers, body: await response.run() };

    // Aborted when the response stream is torn down mid-reply (the client went away): the provider stops generating.
    const stop = new AbortController();
    const { events, close } = await response.stream(stop.signal, (error) => {
      logger.error("response stream failed", { error: error as Error });
      return openAiErrorFor(error, event.requestContext.requestId).body.error;
    });
    async function* sse(): AsyncGenerator<string> {
      for await (const item of events) yield `event: ${item.type}\ndata: ${JSON.stringify(item)}\n\n`;
    }
    return {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no", ...headers },
      stream: stoppedOnTeardown(sse(), stop, async () => {
        if (stop.signal.aborted) logger.info("client went away", { responseId: response.id });
        await close();
      }),
    };
  },
);
