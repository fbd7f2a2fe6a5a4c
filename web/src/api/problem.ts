/**
 * Errors from the API are application/problem+json (RFC 9457): {title, status, detail,
 * errors?}. This module turns any failed request into one actionable sentence.
 */
import axios from "axios";

export interface FieldProblem {
  loc: (string | number)[];
  msg: string;
  type?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldProblem[];
}

export function httpStatus(error: unknown): number | null {
  return axios.isAxiosError(error) && error.response ? error.response.status : null;
}

export function problemOf(error: unknown): Problem | null {
  if (!axios.isAxiosError(error) || !error.response) return null;
  const data: unknown = error.response.data;
  if (data && typeof data === "object" && !Array.isArray(data)) return data as Problem;
  return { status: error.response.status };
}

/** Retry-After as seconds: either delta-seconds or an HTTP date. */
export function retryAfterSeconds(value: string | null | undefined, now: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const when = Date.parse(trimmed);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - now) / 1000));
}

export function describeWait(seconds: number): string {
  if (seconds <= 1) return "in a second";
  if (seconds < 60) return `in ${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return minutes === 1 ? "in a minute" : `in ${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);
  return hours === 1 ? "in about an hour" : `in about ${hours} hours`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function fieldName(loc: (string | number)[]): string {
  const path = loc[0] === "body" || loc[0] === "query" ? loc.slice(1) : loc;
  return path.join(".");
}

/** Validation problems by field name (`title`, `due_date`...), for forms. */
export function fieldErrors(error: unknown): Record<string, string> {
  const problem = problemOf(error);
  const result: Record<string, string> = {};
  for (const item of problem?.errors ?? []) {
    const name = fieldName(item.loc ?? []);
    if (name && !result[name]) result[name] = sentence(item.msg);
  }
  return result;
}

export function isOfflineError(error: unknown): boolean {
  return axios.isAxiosError(error) && !error.response && !axios.isCancel(error);
}

/** The message to show for a failed request; empty for a request that was cancelled. */
export function errorMessage(error: unknown): string {
  if (axios.isCancel(error)) return "";
  if (!axios.isAxiosError(error)) {
    return error instanceof Error && error.message ? sentence(error.message) : "Something went wrong.";
  }
  if (!error.response) {
    if (typeof navigator !== "undefined" && navigator.onLine === false) {
      return "You are offline. Check your connection and try again.";
    }
    if (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT") {
      return "The server took too long to answer. Try again.";
    }
    return "The server cannot be reached. Check your connection and try again.";
  }
  const { status, headers } = error.response;
  const problem = problemOf(error);
  const detail = problem?.detail ? sentence(problem.detail) : "";
  if (status === 429 || status === 503) {
    const wait = retryAfterSeconds(headers["retry-after"] as string | undefined);
    const base = detail || (status === 429 ? "Too many requests." : "The service is unavailable.");
    return wait === null ? `${base} Try again later.` : `${base} Try again ${describeWait(wait)}.`;
  }
  if (problem?.errors?.length) {
    const fields = problem.errors
      .map((item) => `${fieldName(item.loc ?? [])}: ${item.msg}`.replace(/^: /, ""))
      .join("; ");
    return `${detail || "The request is invalid."} ${sentence(fields)}`;
  }
  if (detail) return detail;
  if (problem?.title) return sentence(problem.title);
  return `The request failed (HTTP ${status}).`;
}
