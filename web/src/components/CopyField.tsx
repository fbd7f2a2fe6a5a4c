import { useState } from "react";

/** A read-only value with a "Copy" button (the button says when it worked). */
export function CopyField({ id, label, value, hint }: { id: string; label: string; value: string; hint?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2_000);
    } catch {
      // No clipboard access: select the text so it can be copied by hand.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
    }
  }
  return (
    <div className="mb-2">
      <label htmlFor={id} className="form-label small mb-1">{label}</label>
      <div className="input-group input-group-sm">
        <input id={id} className="form-control font-monospace" readOnly value={value} onFocus={(event) => event.target.select()}
          aria-describedby={hint ? `${id}-hint` : undefined} />
        <button type="button" className="btn btn-outline-dark" onClick={() => void copy()} aria-label={`Copy the ${label.toLowerCase()}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      {hint && <div id={`${id}-hint`} className="form-text">{hint}</div>}
      <span className="visually-hidden" aria-live="polite">{copied ? "Copied to the clipboard." : ""}</span>
    </div>
  );
}
