import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";

export interface RowAction {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

interface RowMenuProps {
  /** Names the button: "Actions for “<title>”". */
  label: string;
  actions: RowAction[];
  className?: string;
}

/**
 * A row's actions behind one button (on small screens, where a row has no room for them):
 * a menu button with the usual keys. Enter, Space or the down arrow open it on
 * the first item, the up arrow on the last; the arrows, Home and End move through it; Escape
 * closes it and gives the focus back to the button; Tab or a click elsewhere closes it.
 */
export function RowMenu({ label, actions, className = "" }: RowMenuProps) {
  const id = useId().replace(/:/g, "");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const button = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    if (open) items.current[active]?.focus();
  }, [open, active]);

  // A click or a tap anywhere else closes it.
  useEffect(() => {
    if (!open) return;
    const outside = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);

  const openAt = (index: number) => {
    setActive((index + actions.length) % actions.length);
    setOpen(true);
  };

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  function onButtonKey(event: KeyboardEvent<HTMLButtonElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      openAt(0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      openAt(actions.length - 1);
    }
  }

  function onMenuKey(event: KeyboardEvent<HTMLUListElement>) {
    const moves: Record<string, number> = { ArrowDown: active + 1, ArrowUp: active - 1, Home: 0, End: actions.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      setActive((moves[event.key] + actions.length) % actions.length);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    }
  }

  return (
    <div ref={root} className={`position-relative row-menu ${className}`}>
      <button
        ref={button}
        type="button"
        className="btn btn-sm btn-outline-secondary row-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        aria-label={label}
        onClick={() => (open ? close(false) : openAt(0))}
        onKeyDown={onButtonKey}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <ul id={`${id}-menu`} role="menu" aria-label={label} className="dropdown-menu show end-0 mt-1" onKeyDown={onMenuKey}>
          {actions.map((action, index) => (
            <li key={action.label} role="none">
              <button
                ref={(element) => {
                  items.current[index] = element;
                }}
                type="button"
                role="menuitem"
                tabIndex={index === active ? 0 : -1}
                className={`dropdown-item${action.danger ? " text-danger" : ""}`}
                onClick={() => {
                  close(true);
                  action.onSelect();
                }}
              >
                {action.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
