// A modal dialog (the native <dialog>: focus moves in, Escape closes, the page behind is inert).
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="dialog-title" onClose={props.onClose}>
      <article>
        <header>
          <button type="button" aria-label="Close" class="close" onClick={props.onClose} />
          <h2 id="dialog-title">{props.title}</h2>
        </header>
        {props.children}
      </article>
    </dialog>
  );
}
