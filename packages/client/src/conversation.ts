import { ApiError, bearer, HttpClient, newClientMessageId, seg, sleep, type HttpOptions, type TokenSource } from "./http";
import type {
  CreateSessionInput,
  ExportFormat,
  Feedback,
  Message,
  MessagePage,
  OkrSet,
  Rating,
  ResumeResult,
  SendResult,
  Session,
  SessionExport,
  SessionListType,
  SessionPage,
  TransitionResult,
} from "./types";
import type { StopAnswer } from "@coach/core/turn";

export type ConversationClientOptions = HttpOptions & TokenSource;

export interface SendMessageOptions {
  /** The idempotency key; generated when absent. Reuse it to retry the same message. */
  clientMessageId?: string;
  /** Automatic resends (same clientMessageId) on network errors and retryable problems. Default 2. */
  retries?: number;
  /** First wait between resends, doubled each time (or the problem's `retryAfter`). Default 500 ms. */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * The conversation REST API (`/api/sessions…`) with a user's JWT.
 *
 * ```ts
 * const api = new ConversationClient({ baseUrl: "http://127.0.0.1:3000", token });
 * const session = await api.createSession({ flow: "okr" });
 * const { assistantMessage } = await api.sendMessage(session.id, "I want to grow weekly active users");
 * ```
 */
export class ConversationClient {
  private readonly http: HttpClient;

  constructor(options: ConversationClientOptions) {
    this.http = new HttpClient(options, bearer(options));
  }

  async createSession(input: CreateSessionInput = {}): Promise<Session> {
    return (await this.http.request<Session>("POST", "/api/sessions", { body: input })).body;
  }

  /** One page of the caller's sessions, newest activity first (`type` defaults to `recent`). */
  async listSessions(options: { type?: SessionListType; limit?: number; cursor?: string } = {}): Promise<SessionPage> {
    return (await this.http.request<SessionPage>("GET", "/api/sessions", { query: options })).body;
  }

  /** Every session of a list, page after page. */
  async *sessions(options: { type?: SessionListType; pageSize?: number } = {}): AsyncGenerator<Session, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listSessions({ type: options.type, limit: options.pageSize, cursor });
      yield* page.sessions;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async getSession(sessionId: string): Promise<Session> {
    return (await this.http.request<Session>("GET", `/api/sessions/${seg(sessionId)}`)).body;
  }

  /** The session and everything in it. */
  async deleteSession(sessionId: string): Promise<void> {
    await this.http.request<void>("DELETE", `/api/sessions/${seg(sessionId)}`);
  }

  /** One page of messages in order: from the start, from `cursor`, or after `afterSeq`. */
  async history(sessionId: string, options: { limit?: number; cursor?: string; afterSeq?: number } = {}): Promise<MessagePage> {
    return (await this.http.request<MessagePage>("GET", `/api/sessions/${seg(sessionId)}/messages`, { query: options })).body;
  }

  /** Every message of the session (after `afterSeq`, if given), in order, fetching pages as it goes. */
  async *messages(sessionId: string, options: { afterSeq?: number; pageSize?: number } = {}): AsyncGenerator<Message, void, undefined> {
    let page = await this.history(sessionId, { afterSeq: options.afterSeq, limit: options.pageSize });
    yield* page.messages;
    while (page.nextCursor) {
      page = await this.history(sessionId, { cursor: page.nextCursor, limit: options.pageSize });
      yield* page.messages;
    }
  }

  /** The whole history as an array. */
  async allMessages(sessionId: string, options: { afterSeq?: number; pageSize?: number } = {}): Promise<Message[]> {
    const all: Message[] = [];
    for await (const message of this.messages(sessionId, options)) all.push(message);
    return all;
  }

  /**
   * The REST fallback of `send_message`: stores the message, runs the coach's
   * reply inside the request and returns both. Safe to retry: every attempt
   * carries the same `clientMessageId`, and the server answers a resend with
   * the original pair, never a second reply.
   */
  async sendMessage(sessionId: string, content: string, options: SendMessageOptions = {}): Promise<SendResult> {
    const clientMessageId = options.clientMessageId ?? newClientMessageId();
    const retries = options.retries ?? 2;
    let delay = options.retryDelayMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.http.request<{ userMessage: Message; assistantMessage: Message }>("POST", `/api/sessions/${seg(sessionId)}/messages`, {
          body: { clientMessageId, content },
          signal: options.signal,
        });
        return { ...response.body, duplicate: response.status === 200, clientMessageId };
      } catch (error) {
        const retryable = error instanceof ApiError ? error.retryable : !options.signal?.aborted;
        if (!retryable || attempt >= retries) throw error;
        const retryAfter = error instanceof ApiError && typeof error.problem.retryAfter === "number" ? error.problem.retryAfter * 1000 : 0;
        await sleep(Math.max(delay, retryAfter));
        delay *= 2;
      }
    }
  }

  /**
   * Stops the reply being written, if any (the REST twin of `stop_generation`); idempotent:
   * `stopping` is false when none was. The reply ends as written so far, stored incomplete.
   */
  async stop(sessionId: string): Promise<StopAnswer> {
    return (await this.http.request<StopAnswer>("POST", `/api/sessions/${seg(sessionId)}/stop`)).body;
  }

  /** Reactivates an unresolved (ended) session; returns it with the first page of its history. */
  async resume(sessionId: string): Promise<ResumeResult> {
    return (await this.http.request<ResumeResult>("POST", `/api/sessions/${seg(sessionId)}/resume`)).body;
  }

  /** Resolves (and ends) the session; a resolved session cannot be resumed. */
  async resolve(sessionId: string, notes?: string): Promise<Session> {
    return (await this.http.request<Session>("POST", `/api/sessions/${seg(sessionId)}/resolve`, { body: notes === undefined ? {} : { notes } })).body;
  }

  /** Ends the session without resolving it: it shows under `unresolved`. */
  async end(sessionId: string): Promise<Session> {
    return (await this.http.request<Session>("POST", `/api/sessions/${seg(sessionId)}/end`)).body;
  }

  /** Rates an assistant message. */
  async feedback(sessionId: string, messageId: string, input: { rating: Rating; comment?: string }): Promise<Feedback> {
    return (await this.http.request<Feedback>("POST", `/api/sessions/${seg(sessionId)}/messages/${seg(messageId)}/feedback`, { body: input })).body;
  }

  /** The whole session: JSON (lossless) or a Markdown transcript. */
  exportSession(sessionId: string, format?: "json"): Promise<SessionExport>;
  exportSession(sessionId: string, format: "markdown"): Promise<string>;
  async exportSession(sessionId: string, format: ExportFormat = "json"): Promise<SessionExport | string> {
    const path = `/api/sessions/${seg(sessionId)}/export`;
    if (format === "markdown") return (await this.http.request<string>("GET", path, { query: { format }, text: true })).body;
    return (await this.http.request<SessionExport>("GET", path, { query: { format } })).body;
  }

  /** The OKR draft, the rubric's scores and reasons, its version and phase history (OKR sessions only). */
  async okrs(sessionId: string): Promise<OkrSet> {
    return (await this.http.request<OkrSet>("GET", `/api/sessions/${seg(sessionId)}/okrs`)).body;
  }

  /** Forces a phase; a transition the flow does not allow is an ApiError 409 `phase.invalid_transition`. */
  async transition(sessionId: string, to: string): Promise<TransitionResult> {
    return (await this.http.request<TransitionResult>("POST", `/api/sessions/${seg(sessionId)}/transition`, { body: { to } })).body;
  }
}
