/** GET /api/export and POST /api/import: the workspace's tasks out as a file, and a file's tasks in. */
import axios from "axios";
import { api } from "../../api/client";

export type ExportFormat = "json" | "csv";
export type ImportFormat = "taskforge-json" | "todoist-csv";

export interface ImportProblem {
  line: number;
  detail: string;
}

export interface ImportResult {
  created: number;
  skipped: number;
  errors: ImportProblem[];
}

/** The export as a file to save; `workspaceId` undefined exports every workspace the user can read. */
export async function downloadExport(format: ExportFormat, workspaceId?: string): Promise<{ blob: Blob; filename: string }> {
  const response = await api.get<Blob>("/export", {
    params: { format, workspace_id: workspaceId },
    responseType: "blob",
    timeout: 120_000,
  });
  const disposition = String(response.headers["content-disposition"] ?? "");
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `taskforge.${format}`;
  return { blob: response.data, filename };
}

/** Saves a blob as a download, as a link with `download` would. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** A chosen file's text, decoded as UTF-8 (FileReader: also where Blob.text() is missing). */
export function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("the file could not be read"));
    reader.readAsText(file, "utf-8");
  });
}

/** The format a file most likely is, by its name: Todoist exports CSV, TaskForge exports JSON (or CSV, not importable). */
export function guessFormat(filename: string): ImportFormat {
  return filename.toLowerCase().endsWith(".csv") ? "todoist-csv" : "taskforge-json";
}

/**
 * Imports a file into a workspace, all or nothing. A file with problems comes back as the
 * 422's list (nothing was written), not as an exception.
 */
export async function importFile(content: string, format: ImportFormat, workspaceId?: string): Promise<ImportResult> {
  try {
    const { data } = await api.post<ImportResult>(
      "/import",
      { format, content, ...(workspaceId ? { workspace_id: workspaceId } : {}) },
      { timeout: 120_000 },
    );
    return data;
  } catch (error) {
    const body: unknown = axios.isAxiosError(error) ? error.response?.data : undefined;
    if (axios.isAxiosError(error) && error.response?.status === 422 && isRefusal(body)) {
      return { created: 0, skipped: 0, errors: body.errors };
    }
    throw error;
  }
}

function isRefusal(body: unknown): body is { errors: ImportProblem[] } {
  if (!body || typeof body !== "object" || !("errors" in body) || !Array.isArray(body.errors)) return false;
  return body.errors.every((item: unknown) => typeof item === "object" && item !== null && "line" in item && "detail" in item);
}
