/**
 * The open session: its history and live replies, and the message box while
 * it is active. A questionnaire also shows the question it asks now, above
 * the message box, and once done the document it wrote.
 */
import type { Session } from "@coach/client";
import { useId, useRef } from "preact/hooks";
import { DocumentPanel } from "../questionnaire/document-panel";
import { QuestionCard, questionHint } from "../questionnaire/question-card";
import { useQuestionnaire } from "../questionnaire/use-questionnaire";
import { Composer } from "./composer";
import { MessageList } from "./message-list";
import { useConversation, type ConversationCallbacks } from "./use-conversation";

interface ConversationViewProps extends ConversationCallbacks {
  session: Session;
}

export function ConversationView({ session, ...callbacks }: ConversationViewProps) {
  // Before the conversation: its listeners are in place when the join's first question comes.
  const questionnaire = useQuestionnaire(session);
  const conversation = useConversation(session, callbacks);
  const message = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const { asking, documentId } = questionnaire;
  const ids = { text: `${id}-question`, hint: `${id}-hint` };

  const answer = (content: string) => {
    // The button pressed goes with the question it answered: the reading goes on in the message box.
    message.current?.focus();
    void conversation.send(content);
  };

  return (
    <div class="conversation">
      <MessageList conversation={conversation} {...(session.flow === "questionnaire" ? { empty: "No answers yet: the first question is below." } : {})} />
      {conversation.error && (
        <div class="error banner" role="alert">
          <span>{conversation.error}</span>
          <button type="button" class="link" onClick={conversation.dismissError}>
            Dismiss
          </button>
        </div>
      )}
      {questionnaire.error && (
        <p class="error" role="alert">
          {questionnaire.error}
        </p>
      )}
      {asking && conversation.live && <QuestionCard asking={asking} ids={ids} busy={conversation.busy} answer={answer} />}
      {documentId && !asking && <DocumentPanel documentId={documentId} />}
      {conversation.live ? (
        <Composer
          busy={conversation.busy}
          send={conversation.send}
          stop={conversation.stop}
          inputRef={message}
          {...(asking
            ? {
                placeholder: "Your answer (Enter sends, Shift+Enter for a new line)",
                describedBy: questionHint(asking.question) ? `${ids.text} ${ids.hint}` : ids.text,
              }
            : {})}
        />
      ) : (
        <p class="ended muted">{session.isResolved ? "This session is resolved." : "This session has ended. Resume it to continue."}</p>
      )}
    </div>
  );
}
