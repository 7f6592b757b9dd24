/** The message box: Enter sends, Shift+Enter is a new line; Stop while a reply is on its way. */
import type { Ref } from "preact";
import { useId, useState } from "preact/hooks";

interface ComposerProps {
  busy: boolean;
  send: (content: string) => Promise<boolean>;
  stop: () => void;
  placeholder?: string;
  /** What the message box answers (a questionnaire's question): ids, space-separated. */
  describedBy?: string;
  inputRef?: Ref<HTMLTextAreaElement>;
}

export function Composer({ busy, send, stop, placeholder = "Message the coach (Enter sends, Shift+Enter for a new line)", describedBy, inputRef }: ComposerProps) {
  const [text, setText] = useState("");
  const id = useId();

  const submit = async () => {
    const content = text.trim();
    if (!content) return;
    setText("");
    const accepted = await send(content);
    // Refused (rate limited, a reply still being written…): give the text back unless something new was typed.
    if (!accepted) setText((now) => (now ? now : content));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label for={id} class="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        ref={inputRef}
        rows={2}
        value={text}
        placeholder={placeholder}
        aria-describedby={describedBy}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <div class="composer-actions">
        {busy && (
          <button type="button" onClick={stop}>
            Stop
          </button>
        )}
        <button type="submit" class="primary" disabled={!text.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
