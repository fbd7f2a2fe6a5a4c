import { useId, useState, type FormEvent } from "react";
import { notifyError } from "../../components/notify";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";
import { downloadExport, guessFormat, importFile, readText, saveFile, type ExportFormat, type ImportFormat, type ImportResult } from "./api";

const ALL = "";
const FORMAT_NAMES: Record<ImportFormat, string> = {
  "taskforge-json": "TaskForge export (JSON)",
  "todoist-csv": "Todoist project export (CSV)",
};

/** Settings: download every task as JSON or CSV, and bring a Todoist or TaskForge file in. */
export function TransferSection() {
  const { workspaces, reload } = useWorkspaces();
  const writable = workspaces.filter((workspace) => workspace.role !== "viewer");
  const [scope, setScope] = useState(ALL);
  const [downloading, setDownloading] = useState<ExportFormat | null>(null);
  const [target, setTarget] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormat>("taskforge-json");
  const [importing, setImporting] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const ids = useId();

  async function download(chosen: ExportFormat) {
    setDownloading(chosen);
    try {
      const { blob, filename } = await downloadExport(chosen, scope || undefined);
      saveFile(blob, filename);
    } catch (error) {
      notifyError(error, { context: "Could not export your tasks." });
    } finally {
      setDownloading(null);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setImporting(true);
    setResult(null);
    try {
      const answer = await importFile(await readText(file), format, target || writable[0]?.id);
      setResult(answer);
      if (answer.errors.length === 0) await reload();
    } catch (error) {
      notifyError(error, {
        context: "Could not import the file.",
        byStatus: { 413: "The file is too large for one import; split it into smaller files." },
      });
    } finally {
      setImporting(false);
    }
  }

  return (
    <section className="card mt-3" aria-labelledby={`${ids}-heading`}>
      <div className="card-body">
        <h2 id={`${ids}-heading`} className="h5">Export and import</h2>
        <h3 className="h6 mt-3">Export</h3>
        <p className="small text-body-secondary">
          Every task with its tags, checklist and repeat. JSON can be imported again; CSV opens in a spreadsheet.
        </p>
        <div className="row g-2 align-items-end">
          <div className="col-12 col-md-6">
            <label htmlFor={`${ids}-scope`} className="form-label">Tasks of</label>
            <select id={`${ids}-scope`} className="form-select" value={scope} onChange={(event) => setScope(event.target.value)}>
              <option value={ALL}>Every workspace</option>
              {workspaces.map((workspace) => (
                <option key={workspace.id} value={workspace.id}>{workspace.name}</option>
              ))}
            </select>
          </div>
          <div className="col-12 col-md-6 d-flex gap-2">
            <button type="button" className="btn btn-outline-primary" disabled={downloading !== null} onClick={() => void download("json")}>
              {downloading === "json" ? "Exporting…" : "Download JSON"}
            </button>
            <button type="button" className="btn btn-outline-primary" disabled={downloading !== null} onClick={() => void download("csv")}>
              {downloading === "csv" ? "Exporting…" : "Download CSV"}
            </button>
          </div>
        </div>

        <h3 className="h6 mt-4">Import</h3>
        <p className="small text-body-secondary">
          A TaskForge JSON export or a Todoist project exported as CSV. All or nothing: a file with a problem imports
          nothing. Tasks already there (same title and due date) are skipped.
        </p>
        <form onSubmit={(event) => void submit(event)} aria-label="Import tasks">
          <div className="row g-2">
            <div className="col-12 col-md-6">
              <label htmlFor={`${ids}-file`} className="form-label">File to import</label>
              <input id={`${ids}-file`} type="file" className="form-control" accept=".json,.csv,application/json,text/csv"
                onChange={(event) => {
                  const chosen = event.target.files?.[0] ?? null;
                  setFile(chosen);
                  setResult(null);
                  if (chosen) setFormat(guessFormat(chosen.name));
                }} />
            </div>
            <div className="col-12 col-md-6">
              <label htmlFor={`${ids}-format`} className="form-label">Kind of file</label>
              <select id={`${ids}-format`} className="form-select" value={format} onChange={(event) => setFormat(event.target.value as ImportFormat)}>
                {Object.entries(FORMAT_NAMES).map(([value, name]) => <option key={value} value={value}>{name}</option>)}
              </select>
            </div>
            <div className="col-12 col-md-6">
              <label htmlFor={`${ids}-target`} className="form-label">Into workspace</label>
              <select id={`${ids}-target`} className="form-select" value={target || writable[0]?.id || ""} onChange={(event) => setTarget(event.target.value)}>
                {writable.map((workspace) => <option key={workspace.id} value={workspace.id}>{workspace.name}</option>)}
              </select>
            </div>
            <div className="col-12 col-md-6 d-flex align-items-end">
              <button type="submit" className="btn btn-primary" disabled={!file || importing}>
                {importing ? "Importing…" : "Import"}
              </button>
            </div>
          </div>
        </form>
        {result && <ImportOutcome result={result} />}
      </div>
    </section>
  );
}

function ImportOutcome({ result }: { result: ImportResult }) {
  if (result.errors.length > 0) {
    const count = result.errors.length;
    return (
      <div className="alert alert-danger mt-3 mb-0" role="alert">
        <p className="fw-semibold mb-1">Nothing was imported: the file has {count} problem{count === 1 ? "" : "s"}.</p>
        <ul className="mb-0 small">
          {result.errors.slice(0, 50).map((problem) => (
            <li key={`${problem.line}-${problem.detail}`}>{problem.line > 0 ? `Line ${problem.line}: ` : ""}{problem.detail}</li>
          ))}
        </ul>
        {count > 50 && <p className="small mb-0">…and {count - 50} more.</p>}
      </div>
    );
  }
  return (
    <div className="alert alert-success mt-3 mb-0" role="status">
      Imported {result.created} task{result.created === 1 ? "" : "s"}
      {result.skipped > 0 ? `; ${result.skipped} already there ${result.skipped === 1 ? "was" : "were"} skipped` : ""}.
    </div>
  );
}
