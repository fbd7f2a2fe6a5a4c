import { useEffect, useRef, type ReactNode } from "react";

interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: string;
  /** The heading's id, which labels the dialog. */
  titleId: string;
  children: ReactNode;
  className?: string;
}

/**
 * A modal dialog on the native <dialog>: the browser keeps focus inside it, Esc closes it and the
 * page behind is inert. Focus starts on the element marked `data-autofocus`, if any, and returns
 * to where it was when the dialog closes.
 */
export function Dialog({ open, onClose, title, titleId, children, className = "" }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      const before = document.activeElement as HTMLElement | null;
      if (typeof element.showModal === "function") element.showModal();
      else element.setAttribute("open", "");
      // showModal() focuses the first control (the close button); a dialog may name a better one.
      element.querySelector<HTMLElement>("[data-autofocus]")?.focus();
      return () => {
        if (element.open) element.close();
        before?.focus?.();
      };
    }
  }, [open]);

  if (!open) return null;
  return (
    <dialog
      ref={dialog}
      className={`app-dialog rounded-3 border shadow p-0 ${className}`}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="p-3 p-sm-4">
        <div className="d-flex align-items-center justify-content-between gap-2 mb-3">
          <h2 id={titleId} className="h5 mb-0">{title}</h2>
          <button type="button" className="btn-close" aria-label="Close" onClick={onClose} />
        </div>
        {children}
      </div>
    </dialog>
  );
}
