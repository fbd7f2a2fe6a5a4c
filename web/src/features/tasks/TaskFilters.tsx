import { useState, type ChangeEvent, type FocusEvent } from "react";
import { useDebouncedCallback } from "../../components/useDebouncedCallback";
import { dateEntryProblem } from "../../lib/dates";
import { DEFAULT_FILTERS, hasActiveFilters } from "./query";
import { textOn } from "../../components/TagBadge";
import type { TagRef } from "../../types/task";
import type { SortField, SortOrder, TaskFilterValues } from "./types";

export const SEARCH_DEBOUNCE_MS = 300;

interface TaskFiltersProps {
  value: TaskFilterValues;
  onChange: (next: TaskFilterValues) => void;
  /** The workspace's tags, offered as filters. */
  tags?: TagRef[];
}

export function TaskFilters({ value, onChange, tags = [] }: TaskFiltersProps) {
  const [search, setSearch] = useState(value.q);
  const [expanded, setExpanded] = useState(false);
  const sendSearch = useDebouncedCallback((q: string) => onChange({ ...value, q }), SEARCH_DEBOUNCE_MS);

  // The address can change the search too (Back, "Clear filters").
  const [addressQ, setAddressQ] = useState(value.q);
  if (addressQ !== value.q) {
    setAddressQ(value.q);
    setSearch(value.q);
  }

  // The due days as typed: a day that does not exist (31 February) is shown as an error and
  // changes no filter, rather than passing for an empty field and clearing it.
  const [days, setDays] = useState({ dueFrom: value.dueFrom, dueTo: value.dueTo });
  const [dayErrors, setDayErrors] = useState<{ dueFrom?: string; dueTo?: string }>({});
  const [addressDays, setAddressDays] = useState(`${value.dueFrom}/${value.dueTo}`);
  if (addressDays !== `${value.dueFrom}/${value.dueTo}`) {
    setAddressDays(`${value.dueFrom}/${value.dueTo}`);
    setDays({ dueFrom: value.dueFrom, dueTo: value.dueTo });
    setDayErrors({});
  }

  const set = <K extends keyof TaskFilterValues>(key: K, next: TaskFilterValues[K]) => {
    sendSearch.cancel();
    onChange({ ...value, q: search, [key]: next });
  };

  const dayChanged = (key: "dueFrom" | "dueTo") => (event: ChangeEvent<HTMLInputElement>) => {
    const typed = event.target.value;
    setDays((current) => ({ ...current, [key]: typed }));
    const problem = dateEntryProblem(event.target, "date");
    setDayErrors((current) => ({ ...current, [key]: problem ?? undefined }));
    if (!problem && typed !== value[key]) set(key, typed);
  };
  // Typing a day that does not exist may fire no change at all (the value stays ""): checked on leaving too.
  const dayLeft = (key: "dueFrom" | "dueTo") => (event: FocusEvent<HTMLInputElement>) => {
    const problem = dateEntryProblem(event.target, "date");
    setDayErrors((current) => ({ ...current, [key]: problem ?? undefined }));
  };
  const active = hasActiveFilters(value);

  return (
    <section className="card mb-3" aria-label="Filter and sort">
      <div className="card-body p-3">
        <form role="search" className="d-flex gap-2" onSubmit={(event) => {
          event.preventDefault();
          sendSearch.cancel();
          onChange({ ...value, q: search });
        }}>
          <label htmlFor="task-search" className="visually-hidden">Search tasks</label>
          <input
            id="task-search"
            type="search"
            className="form-control"
            placeholder="Search tasks"
            value={search}
            maxLength={200}
            onChange={(event) => {
              setSearch(event.target.value);
              sendSearch(event.target.value);
            }}
          />
          <button
            type="button"
            className="btn btn-outline-secondary text-nowrap d-md-none"
            aria-expanded={expanded}
            aria-controls="task-filter-fields"
            onClick={() => setExpanded((open) => !open)}
          >
            Filters
            {active && <span aria-hidden="true"> •</span>}
            {active && <span className="visually-hidden"> (some are set)</span>}
          </button>
        </form>
        <div id="task-filter-fields" className={`row g-2 mt-1 ${expanded ? "" : "d-none d-md-flex"}`}>
          <div className="col-6 col-md-2">
            <label htmlFor="filter-status" className="form-label small mb-1">Status</label>
            <select id="filter-status" className="form-select form-select-sm" value={value.status}
              onChange={(event) => set("status", event.target.value as TaskFilterValues["status"])}>
              <option value="">All</option>
              <option value="open">Open</option>
              <option value="done">Done</option>
            </select>
          </div>
          <div className="col-6 col-md-2">
            <label htmlFor="filter-priority" className="form-label small mb-1">Priority</label>
            <select id="filter-priority" className="form-select form-select-sm" value={value.priority}
              onChange={(event) => set("priority", event.target.value as TaskFilterValues["priority"])}>
              <option value="">Any</option>
              <option value="1">High</option>
              <option value="2">Normal</option>
              <option value="3">Low</option>
            </select>
          </div>
          <div className="col-6 col-md-2">
            <label htmlFor="filter-due-from" className="form-label small mb-1">Due from</label>
            <input id="filter-due-from" type="date" className={`form-control form-control-sm${dayErrors.dueFrom ? " is-invalid" : ""}`}
              value={days.dueFrom} max={value.dueTo || undefined} onChange={dayChanged("dueFrom")} onBlur={dayLeft("dueFrom")}
              aria-invalid={dayErrors.dueFrom ? true : undefined}
              aria-describedby={dayErrors.dueFrom ? "filter-due-from-error" : undefined} />
            {dayErrors.dueFrom && <div id="filter-due-from-error" className="invalid-feedback d-block">{dayErrors.dueFrom}</div>}
          </div>
          <div className="col-6 col-md-2">
            <label htmlFor="filter-due-to" className="form-label small mb-1">Due until</label>
            <input id="filter-due-to" type="date" className={`form-control form-control-sm${dayErrors.dueTo ? " is-invalid" : ""}`}
              value={days.dueTo} min={value.dueFrom || undefined} onChange={dayChanged("dueTo")} onBlur={dayLeft("dueTo")}
              aria-invalid={dayErrors.dueTo ? true : undefined}
              aria-describedby={dayErrors.dueTo ? "filter-due-to-error" : undefined} />
            {dayErrors.dueTo && <div id="filter-due-to-error" className="invalid-feedback d-block">{dayErrors.dueTo}</div>}
          </div>
          <div className="col-6 col-md-2">
            <label htmlFor="filter-sort" className="form-label small mb-1">Sort by</label>
            <select id="filter-sort" className="form-select form-select-sm" value={value.sort}
              onChange={(event) => {
                const sort = event.target.value as SortField;
                // Manual order reads top to bottom: first is first.
                onChange({ ...value, sort, ...(sort === "position" ? { order: "asc" as const } : {}) });
              }}>
              <option value="created_at">Created</option>
              <option value="due_date">Due date</option>
              <option value="priority">Priority</option>
              <option value="position">Manual</option>
            </select>
          </div>
          <div className="col-6 col-md-2">
            <label htmlFor="filter-order" className="form-label small mb-1">Order</label>
            <select id="filter-order" className="form-select form-select-sm" value={value.order}
              onChange={(event) => set("order", event.target.value as SortOrder)}>
              <option value="desc">Descending</option>
              <option value="asc">Ascending</option>
            </select>
          </div>
          {tags.length > 0 && (
            <div className="col-12">
              <div role="group" aria-label="Filter by tags (tasks with all of them)" className="d-flex flex-wrap gap-1 align-items-center">
                <span className="small me-1" aria-hidden="true">Tags:</span>
                {tags.map((tag) => {
                  const on = value.tags.includes(tag.id);
                  return (
                    <button key={tag.id} type="button" aria-pressed={on}
                      className={`btn btn-sm rounded-pill py-0 ${on ? "" : "btn-outline-secondary"}`}
                      style={on ? { backgroundColor: tag.color, color: textOn(tag.color), borderColor: tag.color } : undefined}
                      onClick={() => set("tags", on ? value.tags.filter((id) => id !== tag.id) : [...value.tags, tag.id])}>
                      {on && <span aria-hidden="true">✓ </span>}
                      {tag.name}
                    </button>
                  );
                })}
              </div>
            </div>
          )}
          {active && (
            <div className="col-12">
              <button type="button" className="btn btn-link btn-sm px-0"
                onClick={() => {
                  sendSearch.cancel();
                  setSearch("");
                  onChange({ ...DEFAULT_FILTERS, sort: value.sort, order: value.order });
                }}>
                Clear filters
              </button>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
