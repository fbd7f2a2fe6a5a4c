import { useEffect, useRef } from "react";
import { useNavigate } from "react-router";
import { dialogOpen, isShortcut } from "../../lib/keyboard";

interface Handlers {
  quickAdd: () => void;
  help: () => void;
}

/**
 * The keys every page has: q quick add, / search, ? the list of shortcuts. None fires while
 * typing in a field, with a modifier held, or while a dialog is open.
 */
export function useGlobalShortcuts(enabled: boolean, handlers: Handlers): void {
  const navigate = useNavigate();
  const latest = useRef({ handlers, navigate });
  useEffect(() => {
    latest.current = { handlers, navigate };
  });

  useEffect(() => {
    if (!enabled) return;
    function onKey(event: KeyboardEvent) {
      if (!isShortcut(event) || dialogOpen()) return;
      const { handlers: act, navigate: go } = latest.current;
      if (event.key === "q") act.quickAdd();
      else if (event.key === "?") act.help();
      else if (event.key === "/") {
        const field = document.getElementById("task-search");
        if (field) field.focus();
        else {
          // Search is the task list's: go there, and focus its field once it is on the page.
          void go("/");
          const started = Date.now();
          const focusWhenThere = () => {
            const found = document.getElementById("task-search");
            if (found) found.focus();
            else if (Date.now() - started < 3_000) requestAnimationFrame(focusWhenThere);
          };
          requestAnimationFrame(focusWhenThere);
        }
      } else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}
