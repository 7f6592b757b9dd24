import { ProviderError, type AiProvider, type ProviderEvent, type ProviderRequest } from "./provider";
import type { StandInReply } from "./stand-in";

/**
 * The offline provider: a stand-in for the model, deterministic, no network.
 * It knows no flow: it answers with the request's `standIn` (the flow's
 * deterministic responder, bound to the session's state — the OKR coach
 * drafts through the same `update_okr_draft` tool Claude uses, so the same
 * validation and rubric apply), or echoes when the flow has none. The reply
 * streams word by word, so relaying, coalescing and ordering are exercised
 * exactly as with a real model.
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
      const conversation = { messages: request.messages, today: options.today ?? new Date().toISOString().slice(0, 10) };
      const reply = request.standIn ? request.standIn(conversation) : echo(request);
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

/** Without a flow's stand-in (plain chat, the OpenAI-compatible API): say back what was said. */
function echo(request: ProviderRequest): StandInReply {
  const said = [...request.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const quoted = said.length > 200 ? `${said.slice(0, 197)}...` : said;
  return { text: `You said: "${quoted}". I'm the offline assistant; set ANTHROPIC_API_KEY for real answers.`, toolCalls: [] };
}

/** About four characters a token, as the providers count English text. */
const approximateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
