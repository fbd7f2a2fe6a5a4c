import { useId } from "react";
import { Dialog } from "../../components/Dialog";
import { SHORTCUTS } from "./shortcuts";

/** "?": every shortcut, in a dialog that Esc closes. */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const titleId = useId();
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" titleId={titleId}>
      <p className="small text-body-secondary">They work anywhere except while you type in a field.</p>
      <table className="table table-sm mb-0">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">What it does</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.keys}>
              <td><kbd>{shortcut.keys}</kbd></td>
              <td>{shortcut.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
