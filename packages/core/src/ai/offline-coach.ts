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

/**
 * Without a flow's stand-in (plain chat, the OpenAI-compatible API): say back
 * what was said. Asked what was said before ("what did I say?"), it recalls
 * the earlier user messages it was given, so what a conversation carries as
 * context can be seen without a model.
 */
function echo(request: ProviderRequest): StandInReply {
  const users = request.messages.filter((m) => m.role === "user");
  const said = users.at(-1)?.content ?? "";
  const suffix = "I'm the offline assistant; set ANTHROPIC_API_KEY for real answers.";
  if (RECALL.test(said)) {
    const earlier = users.slice(0, -1).map((m) => `"${quote(m.content)}"`);
    const replies = request.messages.filter((m) => m.role === "assistant").length;
    const recalled = earlier.length === 0 ? "Nothing came before this message." : `Before this you said: ${earlier.join(", then ")} (and I replied ${replies} time${replies === 1 ? "" : "s"}).`;
    return { text: `${recalled} ${suffix}`, toolCalls: [] };
  }
  return { text: `You said: "${quote(said)}". ${suffix}`, toolCalls: [] };
}

/** "What did I say?", "what have I told you so far", "What did I ask before?" */
const RECALL = /\bwhat (did|have) I (say|said|tell|told|ask|asked)\b/i;

const quote = (text: string) => (text.length > 200 ? `${text.slice(0, 197)}...` : text);

/** About four characters a token, as the providers count English text. */
const approximateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
