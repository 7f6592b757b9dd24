import { currentActor, withActor } from "../actor";
import type { AiProvider } from "../ai";
import { planCompletion, type CompletionEvent, type CompletionPlan } from "../completions/run";
import { resolveModel } from "../completions/models";
import type { ChatCompletionRequest } from "../completions/request";
import { MAX_CONTENT_LENGTH, type TokenUsage } from "../conversation/message";
import { VisibleError } from "../error";
import type { AnyFlow } from "../flow/plugin";
import * as Usage from "../usage";
import { readContinued, resolveInput, type Continued } from "./context";
import { newResponseId, replyItemId } from "./ids";
import { outputMessage, outputText, responseObject, type ResponseObject, type ResponseSettings } from "./object";
import type { CreateResponse, InputMessage } from "./request";
import { conversationBusy, holdConversation, keepAlive, letGo, notLatest, storeExchange, type HeldLock } from "./store";

export interface ResponsePorts {
  provider: AiProvider;
  /** The flow of the session a stored response without previous_response_id starts (the handler's choice: plain chat). */
  flow: AnyFlow;
}

/** The Responses API's streaming events, in OpenAI's shapes, each with its `sequence_number`. */
export type ResponseStreamEvent = { type: string; sequence_number: number } & Record<string, unknown>;

/** How the transport states an error to the client (OpenAI's error body), for `response.failed` and `error`. */
export type DescribeError = (error: unknown) => { message: string; type: string; param: string | null; code: string | null };

export interface OpenedResponse {
  readonly id: string;
  /** Request fields not sent because the model rejects them (`x-coach-ignored-params`). */
  readonly ignored: string[];
  /** Non-streaming: the whole reply, stored and counted; the conversation is freed whatever happens. */
  run(): Promise<ResponseObject>;
  /**
   * Streaming: runs the provider up to its first event, so a request it
   * refuses throws here, before anything is sent; then OpenAI's events in
   * order, ending with `response.completed` (the exchange stored and counted),
   * or `response.failed` and `error`. Once `signal` aborts (the client went
   * away) the provider stops and the events end without an end; `close`
   * then frees the conversation and counts the request without tokens.
   */
  stream(signal: AbortSignal, describe: DescribeError): Promise<{ events: AsyncGenerator<ResponseStreamEvent>; close(): Promise<void> }>;
}

/** How many messages one stored response may add to its session: they go in one transaction with the reply and the record. */
export const MAX_STORED_INPUT = 90;

/**
 * `POST /v1/responses`, the use case: a stored response (the default for a
 * user) is a turn of one of the caller's sessions — `previous_response_id`
 * continues that response's session, whose recent history is the model's
 * context, under the session's turn lock; without it a new `chat` session
 * starts. `store: false` answers the same way and writes nothing (it may
 * read a previous response, even one that is not the latest). Usage is
 * counted per caller as for chat completions. Runs as the caller; the work
 * done after the handler returned (a stream) runs as the same caller.
 */
export async function open(request: CreateResponse, ports: ResponsePorts): Promise<OpenedResponse> {
  const actor = currentActor();
  const caller = Usage.callerOf(actor);
  const model = resolveModel(request.model);
  const store = request.store ?? actor.type === "user";
  if (store && actor.type !== "user") {
    throw new VisibleError("invalid", "store.needs_user", "A stored response is a turn of a user's session; an API key owns none: send store: false, or call as a user", { param: "store" });
  }
  const continued = request.previous_response_id ? await readContinued(request.previous_response_id) : undefined;
  if (continued && store) assertContinuable(continued);
  const input = await resolveInput(request.input);
  if (store) assertStorable(input);

  const plan = planCompletion(chatRequestOf(request, continued, input), model, ports.provider, { param: "input" });
  const settings: ResponseSettings = {
    id: newResponseId(),
    createdAt: Math.floor(Date.now() / 1000),
    model: request.model,
    store,
    instructions: request.instructions ?? null,
    metadata: request.metadata ?? {},
    temperature: request.temperature ?? null,
    topP: request.top_p ?? null,
    maxOutputTokens: request.max_output_tokens ?? null,
    effort: request.reasoning?.effort ?? null,
    previousResponseId: request.previous_response_id ?? null,
    user: request.user ?? null,
  };
  // Taken last, after everything that may refuse the request: a refusal never holds the session.
  const lock = continued && store ? await holdConversation(continued.session) : undefined;
  return new Opened(settings, plan, { actor, caller, modelId: model.id, store, continued, lock, input, flow: ports.flow });
}

function assertContinuable(continued: Continued): void {
  const { session } = continued;
  if (!continued.latest) throw notLatest();
  if (session.status !== "active") {
    throw new VisibleError("conflict", "conversation.ended", `The conversation's session ${session.id} has ended; resume it (POST /api/sessions/${session.id}/resume) to continue it`, {
      param: "previous_response_id",
    });
  }
  if (continued.busy) throw conversationBusy();
}

/** What a stored response adds to its session must fit a message each, and one transaction together. */
function assertStorable(input: readonly InputMessage[]): void {
  if (input.length > MAX_STORED_INPUT) {
    throw new VisibleError("invalid", "input.too_many_items", `A stored response takes at most ${MAX_STORED_INPUT} input messages; send store: false, or continue with previous_response_id`, {
      param: "input",
    });
  }
  const long = input.findIndex((message) => message.text.length > MAX_CONTENT_LENGTH);
  if (long >= 0) {
    throw new VisibleError("invalid", "input.message_too_long", `A message of a stored response holds at most ${MAX_CONTENT_LENGTH} characters`, { param: `input.${long}` });
  }
}

/**
 * The conversation as a chat completion: the instructions, then the
 * session's history, then the input; system and developer messages join the
 * system prompt in that order, user and assistant turns stay in order.
 */
function chatRequestOf(request: CreateResponse, continued: Continued | undefined, input: readonly InputMessage[]): ChatCompletionRequest {
  const messages = [
    ...(request.instructions ? [{ role: "system" as const, content: request.instructions }] : []),
    ...[...(continued?.history ?? []), ...input].map((message) => ({ role: message.role, content: message.text })),
  ];
  return {
    model: request.model,
    messages,
    temperature: request.temperature,
    top_p: request.top_p,
    max_completion_tokens: request.max_output_tokens,
    reasoning_effort: request.reasoning?.effort,
  };
}

interface OpenedState {
  actor: ReturnType<typeof currentActor>;
  caller: string;
  modelId: string;
  store: boolean;
  continued?: Continued;
  lock?: HeldLock;
  input: readonly InputMessage[];
  flow: AnyFlow;
}

class Opened implements OpenedResponse {
  readonly ignored: string[];
  private readonly itemId: string;
  /** Whether the response ended (completed or failed): the conversation is free again and the request counted where it should be. */
  private settled = false;

  constructor(
    private readonly settings: ResponseSettings,
    private readonly plan: CompletionPlan,
    private readonly state: OpenedState,
  ) {
    this.ignored = plan.ignored;
    this.itemId = replyItemId(settings.id);
  }

  get id(): string {
    return this.settings.id;
  }

  async run(): Promise<ResponseObject> {
    let text = "";
    try {
      for await (const part of this.events()) {
        if (part.type === "delta") text += part.text;
        if (part.type === "done") return await this.complete(text, part.usage);
      }
      throw new Error("The completion ended without its end");
    } catch (error) {
      await this.fail();
      throw error;
    }
  }

  async stream(signal: AbortSignal, describe: DescribeError) {
    const completion = this.events(signal);
    let first: IteratorResult<CompletionEvent>;
    try {
      first = await completion.next();
    } catch (error) {
      await this.fail();
      throw error;
    }
    const parts = async function* () {
      if (!first.done) yield first.value;
      yield* completion;
    };
    return {
      events: this.streamEvents(parts(), signal, describe),
      close: async () => {
        await completion.return(undefined);
        if (this.settled) return;
        this.settled = true;
        await this.asCaller(async () => {
          if (this.state.lock) await letGo(this.state.lock);
          await Usage.recordUsage(this.state.caller, this.state.modelId, { inputTokens: 0, outputTokens: 0 });
        });
      },
    };
  }

  private async *streamEvents(parts: AsyncGenerator<CompletionEvent>, signal: AbortSignal, describe: DescribeError): AsyncGenerator<ResponseStreamEvent> {
    let sequence = 0;
    const event = (type: string, body: Record<string, unknown>): ResponseStreamEvent => ({ type, sequence_number: sequence++, ...body });
    const at = { item_id: this.itemId, output_index: 0, content_index: 0 };
    const started = responseObject(this.settings, { status: "in_progress" });
    yield event("response.created", { response: started });
    yield event("response.in_progress", { response: started });
    yield event("response.output_item.added", { output_index: 0, item: outputMessage(this.itemId, "in_progress") });
    yield event("response.content_part.added", { ...at, part: outputText("") });
    let text = "";
    try {
      for await (const part of parts) {
        if (part.type === "thinking") continue;
        if (part.type === "delta") {
          text += part.text;
          yield event("response.output_text.delta", { ...at, delta: part.text, logprobs: [] });
          continue;
        }
        const completed = await this.complete(text, part.usage);
        yield event("response.output_text.done", { ...at, text, logprobs: [] });
        yield event("response.content_part.done", { ...at, part: outputText(text) });
        yield event("response.output_item.done", { output_index: 0, item: outputMessage(this.itemId, "completed", text) });
        yield event("response.completed", { response: completed });
      }
    } catch (error) {
      // Stopped because the client went away: nobody is left to read an end.
      if (signal.aborted) return;
      await this.fail();
      const { message, param, code } = describe(error);
      const failure = { code: code ?? "server_error", message };
      yield event("response.failed", { response: responseObject(this.settings, { status: "failed", error: failure }) });
      yield event("error", { code, message, param });
    }
  }

  /** The plan's events, with the held lock kept alive while they run; a lock lost on the way is a failure, never a stored reply. */
  private async *events(signal?: AbortSignal): AsyncGenerator<CompletionEvent> {
    const lock = this.state.lock;
    if (!lock) {
      yield* this.plan.events(signal);
      return;
    }
    const lost = new AbortController();
    const alive = keepAlive(lock, lost);
    try {
      yield* this.plan.events(signal ? AbortSignal.any([signal, lost.signal]) : lost.signal);
      if (lost.signal.aborted && !signal?.aborted) {
        throw new VisibleError("conflict", "conversation.lock_lost", "The reply took too long and the conversation was taken over; send the request again", { retryable: true });
      }
    } finally {
      alive.stop();
    }
  }

  /** The reply is whole: counted, and stored as a turn of the session when the response is stored. */
  private complete(text: string, usage: TokenUsage): Promise<ResponseObject> {
    return this.asCaller(async () => {
      // Counted first: the tokens were spent even if storing is refused.
      await Usage.recordUsage(this.state.caller, this.state.modelId, usage);
      try {
        if (this.state.store) {
          await storeExchange({
            ...(this.state.continued && this.state.lock ? { continued: { session: this.state.continued.session, lock: this.state.lock } } : {}),
            flow: this.state.flow,
            input: this.state.input,
            reply: text,
            usage,
            record: { ...this.recordSettings(), userId: this.userId() },
          });
        }
      } catch (error) {
        await this.fail();
        throw error;
      }
      this.settled = true;
      return responseObject(this.settings, { status: "completed", output: outputMessage(this.itemId, "completed", text), usage });
    });
  }

  /** The reply failed: the conversation is freed at once (the lock would otherwise hold it until it expires). */
  private async fail(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    const lock = this.state.lock;
    if (lock) await this.asCaller(() => letGo(lock)).catch(() => undefined);
  }

  private recordSettings() {
    const { id, createdAt, model, instructions, metadata, temperature, topP, maxOutputTokens, effort, previousResponseId, user } = this.settings;
    return { id, createdAt, model, instructions, metadata, temperature, topP, maxOutputTokens, effort, previousResponseId, user };
  }

  private userId(): string {
    const { actor } = this.state;
    if (actor.type !== "user") throw new Error("A stored response needs a user");
    return actor.userId;
  }

  private asCaller<T>(fn: () => Promise<T>): Promise<T> {
    return withActor(this.state.actor, fn);
  }
}
