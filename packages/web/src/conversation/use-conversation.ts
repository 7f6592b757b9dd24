/**
 * One session's conversation as the screen shows it: the stored history,
 * the replies being streamed, the typing indicator, sends on their way.
 *
 * An active session is followed over the WebSocket (RealtimeClient keeps
 * its history whole across reconnects and rebuilds a cut reply, so this
 * only renders what it is given: deltas by messageId and offset). An ended
 * one is read once over REST: nothing more can happen in it.
 */
import { newClientMessageId, type Message, type Session } from "@coach/client";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useApi } from "../api";
import { errorText } from "../errors";

export interface StreamingReply {
  messageId: string;
  text: string;
}

export interface PendingMessage {
  clientMessageId: string;
  content: string;
}

export interface Typing {
  on: boolean;
  stage?: "thinking" | "writing";
}

export interface ConversationCallbacks {
  /** The server's view of the session (on join): phase and status may have moved. */
  onSession: (session: Session) => void;
  onPhase: (sessionId: string, to: string) => void;
  /** A reply was stored: the OKR draft may have changed with it. */
  onReplyComplete: (sessionId: string) => void;
}

export interface Conversation {
  live: boolean;
  loading: boolean;
  messages: Message[];
  pending: PendingMessage[];
  streaming: StreamingReply[];
  typing: Typing;
  /** A reply is on its way or being written: Stop applies. */
  busy: boolean;
  error: string | undefined;
  dismissError: () => void;
  /** Resolves false if the message was refused (the error says why), so the composer can give its text back. */
  send: (content: string) => Promise<boolean>;
  stop: () => void;
}

export function useConversation(session: Session, callbacks: ConversationCallbacks): Conversation {
  const { rest, realtime } = useApi();
  const sessionId = session.id;
  const live = session.status === "active";
  const [messages, setMessages] = useState<Message[]>([]);
  const [loading, setLoading] = useState(true);
  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [streaming, setStreaming] = useState<StreamingReply[]>([]);
  const [typing, setTyping] = useState<Typing>({ on: false });
  const [sending, setSending] = useState(0);
  const [error, setError] = useState<string>();
  // Callbacks change every render; the subscriptions below must not.
  const on = useRef(callbacks);
  on.current = callbacks;

  useEffect(() => {
    let current = true;
    setLoading(true);
    setMessages([]);
    setStreaming([]);
    setPending([]);
    setTyping({ on: false });
    setError(undefined);
    if (!live) {
      rest.allMessages(sessionId).then(
        (all) => current && (setMessages(all), setLoading(false)),
        (failure: unknown) => current && (setError(errorText(failure)), setLoading(false)),
      );
      return () => {
        current = false;
      };
    }

    const showHistory = () => {
      const history = realtime.history(sessionId);
      setMessages(history);
      const stored = new Set(history.map((message) => message.id));
      const accepted = new Set(history.map((message) => message.clientMessageId));
      setStreaming((replies) => replies.filter((reply) => !stored.has(reply.messageId)));
      setPending((sends) => sends.filter((send) => !accepted.has(send.clientMessageId)));
    };
    const dropReply = (messageId: string) => setStreaming((replies) => replies.filter((reply) => reply.messageId !== messageId));

    const offs = [
      realtime.on("history_updated", (event) => event.sessionId === sessionId && showHistory()),
      realtime.on("message_delta", (event) => {
        if (event.sessionId !== sessionId) return;
        setStreaming((replies) => {
          const index = replies.findIndex((reply) => reply.messageId === event.messageId);
          const before = index === -1 ? "" : replies[index]!.text;
          // The client hands each character once, in order; offset places it (after a reconnect, too).
          const next = { messageId: event.messageId, text: before.slice(0, event.offset) + event.delta };
          return index === -1 ? [...replies, next] : replies.map((reply, i) => (i === index ? next : reply));
        });
      }),
      realtime.on("stream_reset", (event) => event.sessionId === sessionId && dropReply(event.messageId)),
      realtime.on("message_complete", (event) => {
        if (event.message.sessionId !== sessionId) return;
        dropReply(event.message.id);
        setTyping({ on: false });
        if (event.message.role === "assistant") on.current.onReplyComplete(sessionId);
      }),
      realtime.on("typing_indicator", (event) => event.sessionId === sessionId && setTyping(event.stage ? { on: event.on, stage: event.stage } : { on: event.on })),
      realtime.on("phase_transition", (event) => event.sessionId === sessionId && on.current.onPhase(sessionId, event.to)),
      realtime.on("session_joined", (event) => event.session.id === sessionId && on.current.onSession(event.session)),
    ];

    realtime.join(sessionId).then(
      () => {
        if (!current) return;
        showHistory();
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(errorText(failure));
        setLoading(false);
      },
    );

    return () => {
      current = false;
      for (const off of offs) off();
      realtime.leave(sessionId);
    };
  }, [rest, realtime, sessionId, live]);

  const send = useCallback(
    async (content: string) => {
      const clientMessageId = newClientMessageId();
      setError(undefined);
      setPending((sends) => [...sends, { clientMessageId, content }]);
      setSending((count) => count + 1);
      try {
        await realtime.send(sessionId, content, { clientMessageId });
        return true;
      } catch (failure) {
        setError(errorText(failure));
        // Accepted, then its reply failed: the message is in the history, the text must not come back too.
        return realtime.history(sessionId).some((message) => message.clientMessageId === clientMessageId);
      } finally {
        setPending((sends) => sends.filter((send) => send.clientMessageId !== clientMessageId));
        setSending((count) => count - 1);
      }
    },
    [realtime, sessionId],
  );

  const stop = useCallback(() => {
    realtime.stop(sessionId).catch((failure: unknown) => setError(errorText(failure)));
  }, [realtime, sessionId]);

  const dismissError = useCallback(() => setError(undefined), []);

  return {
    live,
    loading,
    messages,
    pending,
    streaming,
    typing,
    busy: sending > 0 || typing.on || streaming.length > 0,
    error,
    dismissError,
    send,
    stop,
  };
}
