import { toast, type ToastContentProps } from "react-toastify/unstyled";
import { errorMessage, httpStatus } from "../api/problem";

interface ErrorOptions {
  /** Offered as a "Reload" button when the server says the data changed (412). */
  onReload?: () => void;
  /** Shown before the server's message, e.g. "Could not save the task." */
  context?: string;
  /** Said instead of the server's message for these statuses, where a status can mean only one thing. */
  byStatus?: Partial<Record<number, string>>;
}

function ReloadToast({ message, onReload, closeToast }: { message: string; onReload: () => void } & Partial<ToastContentProps>) {
  return (
    <div>
      <p className="mb-2">{message}</p>
      <button
        type="button"
        className="btn btn-sm btn-outline-secondary"
        onClick={() => {
          closeToast?.();
          onReload();
        }}
      >
        Reload
      </button>
    </div>
  );
}

/** Shows why a request failed. 401s are left to the session handling. */
export function notifyError(error: unknown, options: ErrorOptions = {}): void {
  const status = httpStatus(error);
  if (status === 401) return;
  const message = (status !== null && options.byStatus?.[status]) || errorMessage(error);
  if (!message) return;
  const text = options.context ? `${options.context} ${message}` : message;
  if (status === 412 && options.onReload) {
    const onReload = options.onReload;
    toast.warning((props) => <ReloadToast message={text} onReload={onReload} {...props} />, {
      autoClose: false,
      toastId: "stale-task",
    });
    return;
  }
  // One toast per kind of repeated failure, not a pile of them.
  const toastId = status === 429 ? "rate-limited" : status === null ? "unreachable" : undefined;
  toast.error(text, { toastId, autoClose: status === 429 ? 10_000 : 6_000 });
}

export function notifySuccess(message: string): void {
  toast.success(message, { autoClose: 3_000 });
}

export function notifyInfo(message: string): void {
  toast.info(message, { autoClose: 6_000 });
}

export const UNDO_MS = 6_000;

function UndoableToast({ message, onUndo, closeToast }: { message: string; onUndo: () => void } & Partial<ToastContentProps>) {
  return (
    <div className="d-flex align-items-center gap-3" data-testid="undo-toast">
      <span className="flex-grow-1 text-break">{message}</span>
      <button
        type="button"
        className="btn btn-sm btn-outline-primary"
        onClick={() => {
          closeToast?.();
          onUndo();
        }}
      >
        Undo
      </button>
    </div>
  );
}

/** A change said in a toast with an "Undo" button, which runs `onUndo` once. */
export function notifyUndoable(message: string, onUndo: () => void | Promise<void>): void {
  let used = false;
  toast(
    (props) => (
      <UndoableToast
        message={message}
        onUndo={() => {
          if (used) return;
          used = true;
          void onUndo();
        }}
        {...props}
      />
    ),
    { autoClose: UNDO_MS, closeOnClick: false },
  );
}
