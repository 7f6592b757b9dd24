/**
 * A modal `<dialog>`: the browser traps focus and makes the page behind it
 * inert, Escape closes it; focus goes back to what opened it.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}

export function Dialog({ open, title, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  const closed = () => {
    onClose();
    // Not every browser returns focus on close; the opener may also have re-rendered meanwhile.
    const target = opener.current;
    opener.current = null;
    if (target?.isConnected) target.focus();
  };

  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} onClose={closed}>
      {open && (
        <>
          <h2 id={titleId} class="dialog-title">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}
