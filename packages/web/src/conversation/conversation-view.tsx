/** The open session: its history and live replies, and the message box while it is active. */
import type { Session } from "@coach/client";
import { Composer } from "./composer";
import { MessageList } from "./message-list";
import { useConversation, type ConversationCallbacks } from "./use-conversation";

interface ConversationViewProps extends ConversationCallbacks {
  session: Session;
}

export function ConversationView({ session, ...callbacks }: ConversationViewProps) {
  const conversation = useConversation(session, callbacks);
  return (
    <div class="conversation">
      <MessageList conversation={conversation} />
      {conversation.error && (
        <div class="error banner" role="alert">
          <span>{conversation.error}</span>
          <button type="button" class="link" onClick={conversation.dismissError}>
            Dismiss
          </button>
        </div>
      )}
      {conversation.live ? (
        <Composer busy={conversation.busy} send={conversation.send} stop={conversation.stop} />
      ) : (
        <p class="ended muted">{session.isResolved ? "This session is resolved." : "This session has ended. Resume it to continue."}</p>
      )}
    </div>
  );
}
