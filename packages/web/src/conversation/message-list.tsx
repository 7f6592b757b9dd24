/**
 * The history, then the replies being written in a polite live region (a
 * screen reader hears the reply as it comes, not the whole history again).
 * Stays scrolled to the end while the reader is there.
 */
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { Conversation } from "./use-conversation";
import { MessageItem } from "./message-item";

/** Within this many pixels of the end counts as reading the end. */
const STICK_PX = 80;

export function MessageList({ conversation, empty = "No messages yet. Say hello to the coach below." }: { conversation: Conversation; empty?: string }) {
  const { messages, pending, streaming, typing, loading } = conversation;
  const scroller = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && atEnd.current) element.scrollTop = element.scrollHeight;
  });

  // The box shrinks when something shows below it (a questionnaire's question, its document): still at the end.
  useEffect(() => {
    const element = scroller.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (atEnd.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const element = scroller.current;
    if (element) atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < STICK_PX;
  };

  const stored = new Set(messages.map((message) => message.id));
  const typingText = typing.on && streaming.length === 0 ? (typing.stage === "thinking" ? "Coach is thinking…" : "Coach is writing…") : "";

  return (
    <div ref={scroller} class="messages" onScroll={onScroll} tabIndex={0} aria-label="Conversation history">
      {loading && <p class="muted">Loading the conversation…</p>}
      {!loading && messages.length === 0 && pending.length === 0 && <p class="muted">{empty}</p>}
      <ol class="history">
        {messages.map((message) => (
          <MessageItem key={message.id} role={message.role} content={message.content} message={message} />
        ))}
        {pending.map((send) => (
          <MessageItem key={send.clientMessageId} role="user" content={send.content} note="(sending…)" />
        ))}
      </ol>
      <div class="live" aria-live="polite">
        <ol class="history">
          {streaming
            .filter((reply) => !stored.has(reply.messageId))
            .map((reply) => (
              <MessageItem key={reply.messageId} role="assistant" content={reply.text} />
            ))}
        </ol>
      </div>
      {/* Apart from the reply's live region: "writing…" is a state, not part of what the coach says. */}
      <p class="typing" role="status">
        {typingText}
      </p>
    </div>
  );
}
