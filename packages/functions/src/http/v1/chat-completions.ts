import { withActor } from "@coach/core/actor";
import * as Completions from "@coach/core/completions";
import * as Usage from "@coach/core/usage";
import { ulid } from "ulid";
import * as z from "@coach/core/zod";
import { aiProvider } from "../../shared/ai-provider";
import { logger } from "../../shared/logger";
import { openAiErrorFor } from "../shared/openai-error";
import { httpRoute } from "../shared/route";
import { stoppedOnTeardown } from "../shared/sse";

const ChatCompletion = z.object({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number(),
      message: z.object({ role: z.literal("assistant"), content: z.string(), refusal: z.null() }),
      finish_reason: z.string(),
      logprobs: z.null(),
    }),
  ),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }),
});

/**
 * OpenAI-compatible Chat Completions over the same AI providers as the coach
 * (Claude, or the offline coach). `stream: true` answers with Server-Sent
 * Events of `chat.completion.chunk`s as the reply is produced, ending with
 * `data: [DONE]`. Every completion is counted per caller per day, and with
 * `thread_id` the exchange is appended to that conversation session.
 * Parameters the model rejects are not sent; `x-coach-ignored-params` names them.
 */
export const handler = httpRoute(
  "POST /v1/chat/completions",
  {
    body: Completions.ChatCompletionRequest,
    errors: "openai",
    maxBodyBytes: 1024 * 1024,
    summary: "Create a chat completion (OpenAI-compatible; SSE when stream is true)",
    response: { schema: ChatCompletion },
  },
  async ({ body, actor, event }) => {
    const model = Completions.resolveModel(body.model);
    const userText = Completions.textOf([...body.messages].reverse().find((m) => m.role === "user")!.content);
    if (body.thread_id) await Completions.assertThread(body.thread_id, userText);
    const provider = await aiProvider();
    const caller = Usage.callerOf(actor);
    const id = `chatcmpl-${ulid()}`;
    const created = Math.floor(Date.now() / 1000);
    const plan = Completions.planCompletion(body, model, provider);
    const headers: Record<string, string> = plan.ignored.length ? { "x-coach-ignored-params": plan.ignored.join(", ") } : {};
    // Aborted when the response stream is torn down mid-reply (the client went away): the provider stops generating.
    // A non-streaming request is not watched: a client gone before its answer is not noticed, and the reply runs to its end.
    const stop = new AbortController();
    const completion = plan.events(stop.signal);

    /** What must happen once the reply is whole, in the caller's name (a stream runs after the handler returned). */
    const finish = (text: string, usage: { inputTokens: number; outputTokens: number }) =>
      withActor(actor, async () => {
        await Usage.recordUsage(caller, model.id, usage);
        if (body.thread_id) await Completions.appendToThread(body.thread_id, userText, text, usage);
      });
    const usageOf = (usage: { inputTokens: number; outputTokens: number }) => ({
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    });

    if (!body.stream) {
      let text = "";
      let done: Extract<Completions.CompletionEvent, { type: "done" }> | undefined;
      for await (const part of completion) {
        if (part.type === "delta") text += part.text;
        else if (part.type === "done") done = part;
      }
      await finish(text, done!.usage);
      return {
        headers,
        body: {
          id,
          object: "chat.completion",
          created,
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, finish_reason: done!.finishReason, logprobs: null }],
          usage: usageOf(done!.usage),
        } satisfies z.infer<typeof ChatCompletion>,
      };
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices, ...extra })}\n\n`;
    // The provider's first event is awaited before the status line, so a request it refuses is a real 4xx/5xx, not an event after a 200.
    const first = await completion.next();
    async function* parts(): AsyncGenerator<Completions.CompletionEvent> {
      if (!first.done) yield first.value;
      yield* completion;
    }
    let delivered = "";
    let finished = false;
    async function* events(): AsyncGenerator<string> {
      yield chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null }], includeUsage ? { usage: null } : {});
      try {
        for await (const part of parts()) {
          if (part.type === "thinking") continue;
          if (part.type === "delta") {
            delivered += part.text;
            yield chunk([{ index: 0, delta: { content: part.text }, finish_reason: null, logprobs: null }], includeUsage ? { usage: null } : {});
            continue;
          }
          await finish(delivered, part.usage);
          finished = true;
          yield chunk([{ index: 0, delta: {}, finish_reason: part.finishReason, logprobs: null }], includeUsage ? { usage: null } : {});
          if (includeUsage) yield chunk([], { usage: usageOf(part.usage) });
        }
        // Stopped because the client went away: nobody is left to read an end.
        if (stop.signal.aborted) return;
        yield "data: [DONE]\n\n";
      } catch (error) {
        if (stop.signal.aborted) return;
        // The status line is long gone: report in-band, as OpenAI does, and end without [DONE].
        logger.error("completion stream failed", { error: error as Error });
        yield `data: ${JSON.stringify(openAiErrorFor(error, event.requestContext.requestId).body)}\n\n`;
      }
    }
    /**
     * After the client went away: the request still counts, with the usage as far as the provider
     * reported it (none, for a stream it was told to drop); a reply cut short is not appended to the
     * thread, where it would pass for the whole answer and a retry would repeat the user message.
     */
    const afterTeardown = async () => {
      if (!stop.signal.aborted || finished) return;
      logger.info("client went away", { deliveredChars: delivered.length });
      await Usage.recordUsage(caller, model.id, { inputTokens: 0, outputTokens: 0 });
    };
    return {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no", ...headers },
      stream: stoppedOnTeardown(events(), stop, async () => {
        // Torn down before its first step, the body never reached the completion's own cleanup.
        await completion.return(undefined);
        await afterTeardown();
      }),
    };
  },
);
