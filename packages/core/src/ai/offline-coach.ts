import { flowFor } from "../flow/registry";
import { ProviderError, type AiProvider, type ProviderEvent, type ProviderRequest } from "./provider";

/**
 * The offline coach: deterministic, no network. The session's flow decides
 * what it says and which tool calls it makes (the OKR coach drafts through
 * the same `update_okr_draft` tool Claude uses, so the same validation and
 * rubric apply); the reply streams word by word, so relaying, coalescing and
 * ordering are exercised exactly as with a real model.
 */
export interface OfflineCoachOptions {
  /** Pause between deltas, to make turns take time (fault tests, demos). */
  delayMs?: number;
  /** Fail with a retryable error after this many deltas (fault tests). */
  failAfterDeltas?: number;
  /** Today as YYYY-MM-DD, to resolve "by June 30"; defaults to the clock. */
  today?: string;
}

export function offlineCoach(options: OfflineCoachOptions = {}): AiProvider {
  return {
    name: "offline-coach",
    async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
      const flow = flowFor(request.flow);
      const userMessage = [...request.messages].reverse().find((m) => m.role === "user")?.content ?? "";
      const state = request.state ?? flow.initialState();
      const reply = flow.offlineReply(state, userMessage, request.messages, { today: options.today ?? new Date().toISOString().slice(0, 10) });
      for (const call of reply.toolCalls) {
        if (!request.runTool) break;
        await request.runTool({ id: `offline-${call.name}`, name: call.name, input: call.input });
      }
      const words = reply.text.split(/(?<=\s)/);
      let sent = 0;
      for (const word of words) {
        if (options.failAfterDeltas !== undefined && sent >= options.failAfterDeltas) {
          throw new ProviderError("The offline coach was told to fail mid-stream", true);
        }
        if (request.signal?.aborted) return;
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        yield { type: "delta", text: word };
        sent++;
      }
      const inputTokens = request.messages.reduce((sum, m) => sum + approximateTokens(m.content), 0);
      yield { type: "done", usage: { inputTokens, outputTokens: approximateTokens(reply.text) } };
    },
  };
}

/** About four characters a token, as the providers count English text. */
const approximateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
