import { useId } from "react";
import { Dialog } from "../../components/Dialog";
import { useListKeysInUse } from "../../lib/useListKeys";
import { shortcutsHere } from "./shortcuts";

/** "?": the shortcuts that work on this page, in a dialog that Esc closes. */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const titleId = useId();
  const shortcuts = shortcutsHere(useListKeysInUse());
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" titleId={titleId}>
      <p className="small text-body-secondary">These work on this page, except while you type in a field.</p>
      <table className="table table-sm mb-0">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">What it does</th>
          </tr>
        </thead>
        <tbody>
          {shortcuts.map((shortcut) => (
            <tr key={shortcut.keys}>
              <td className="text-nowrap"><kbd>{shortcut.keys}</kbd></td>
              <td>{shortcut.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
