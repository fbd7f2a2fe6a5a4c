import type { TaskQueryParams } from "./api";
import type { SortField, SortOrder, TaskFilterValues } from "./types";

export const PAGE_SIZE = 20;
/** The API's largest page. */
export const MAX_PAGE_SIZE = 100;

/**
 * How many tasks to read when the list is read again in the background: as many as are shown
 * (at least one page, at most the API's largest), so that the tasks loaded by scrolling stay.
 */
export function revalidationLimit(shown: number): number {
  return Math.min(MAX_PAGE_SIZE, Math.max(PAGE_SIZE, shown));
}

export const DEFAULT_FILTERS: TaskFilterValues = {
  status: "",
  priority: "",
  dueFrom: "",
  dueTo: "",
  q: "",
  sort: "created_at",
  order: "desc",
  tags: [],
};

const SORTS: SortField[] = ["created_at", "due_date", "priority", "position"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Midnight at the start of a local calendar day. */
function localMidnight(day: string): Date {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year, month - 1, date, 0, 0, 0, 0);
}

/** The filters as GET /api/tasks query parameters. Due days are the browser's days. */
export function buildTaskQuery(filters: TaskFilterValues, cursor?: string | null, limit = PAGE_SIZE): TaskQueryParams {
  const params: TaskQueryParams = { limit, sort: filters.sort, order: filters.order };
  if (filters.status === "open") params.completed = false;
  if (filters.status === "done") params.completed = true;
  if (filters.priority) params.priority = Number(filters.priority);
  if (DAY.test(filters.dueFrom)) {
    // The API's due_after is strict: one millisecond before the day starts includes it.
    params.due_after = new Date(localMidnight(filters.dueFrom).getTime() - 1).toISOString();
  }
  if (DAY.test(filters.dueTo)) {
    const next = localMidnight(filters.dueTo);
    next.setDate(next.getDate() + 1);
    params.due_before = next.toISOString();
  }
  const q = filters.q.trim();
  if (q) params.q = q.slice(0, 200);
  if (filters.tags.length > 0) params.tag = [...filters.tags];
  if (cursor) params.cursor = cursor;
  return params;
}

/** Filters live in the address, so a reload, a bookmark or Back shows the same list. */
export function filtersFromSearch(search: URLSearchParams): TaskFilterValues {
  const status = search.get("status");
  const priority = search.get("priority");
  const sort = search.get("sort") as SortField | null;
  const order = search.get("order") as SortOrder | null;
  const dueFrom = search.get("due_from") ?? "";
  const dueTo = search.get("due_to") ?? "";
  return {
    status: status === "open" || status === "done" ? status : "",
    priority: priority === "1" || priority === "2" || priority === "3" ? priority : "",
    dueFrom: DAY.test(dueFrom) ? dueFrom : "",
    dueTo: DAY.test(dueTo) ? dueTo : "",
    q: search.get("q") ?? "",
    sort: sort && SORTS.includes(sort) ? sort : DEFAULT_FILTERS.sort,
    order: order === "asc" || order === "desc" ? order : DEFAULT_FILTERS.order,
    tags: [...new Set(search.getAll("tag").filter(Boolean))],
  };
}

export function filtersToSearch(filters: TaskFilterValues): URLSearchParams {
  const search = new URLSearchParams();
  if (filters.status) search.set("status", filters.status);
  if (filters.priority) search.set("priority", filters.priority);
  if (filters.dueFrom) search.set("due_from", filters.dueFrom);
  if (filters.dueTo) search.set("due_to", filters.dueTo);
  if (filters.q) search.set("q", filters.q);
  if (filters.sort !== DEFAULT_FILTERS.sort) search.set("sort", filters.sort);
  if (filters.order !== DEFAULT_FILTERS.order) search.set("order", filters.order);
  for (const tag of filters.tags) search.append("tag", tag);
  return search;
}

export function hasActiveFilters(filters: TaskFilterValues): boolean {
  return Boolean(
    filters.status || filters.priority || filters.dueFrom || filters.dueTo || filters.q.trim() || filters.tags.length > 0,
  );
}
