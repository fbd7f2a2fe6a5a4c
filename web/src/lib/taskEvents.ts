/**
 * News about tasks within this tab: any write to tasks or tags the server accepted ("changed":
 * the agenda and its counts read again), and a task made outside the list on screen ("created":
 * quick add, so that the list shows it). Other tabs learn through lib/revalidate.
 */
import { api } from "../api/client";
import type { Task } from "../types/task";

const CHANGED = "taskforge:tasks-changed";
const CREATED = "taskforge:task-created";

let watching = false;

function watchWrites(): void {
  if (watching) return;
  watching = true;
  api.interceptors.response.use((response) => {
    const method = (response.config.method ?? "get").toLowerCase();
    const url = response.config.url ?? "";
    if (!["get", "head", "options"].includes(method) && /^\/(tasks|tags)(\/|$)/.test(url)) announceTasksChanged();
    return response;
  });
}

export function announceTasksChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

export function onTasksChanged(listener: () => void): () => void {
  watchWrites();
  window.addEventListener(CHANGED, listener);
  return () => window.removeEventListener(CHANGED, listener);
}

export function announceTaskCreated(task: Task): void {
  window.dispatchEvent(new CustomEvent<Task>(CREATED, { detail: task }));
}

export function onTaskCreated(listener: (task: Task) => void): () => void {
  const handle = (event: Event) => listener((event as CustomEvent<Task>).detail);
  window.addEventListener(CREATED, handle);
  return () => window.removeEventListener(CREATED, handle);
}
