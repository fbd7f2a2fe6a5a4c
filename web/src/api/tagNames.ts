/**
 * Tags by name, for a task made from one typed line (quick add), sent now or from the offline
 * queue: the workspace's tags of those names (the missing ones created), then each attached
 * (PUT, safe to repeat). `config` lets the offline queue send its owner's token.
 */
import axios, { type AxiosRequestConfig } from "axios";
import type { Task } from "../types/task";
import { api } from "./client";
import { rememberEtag } from "./etags";

export interface Tag {
  id: string;
  name: string;
  color: string;
}

export const NEW_TAG_COLOR = "#0a58ca";

async function workspaceTags(workspaceId: string, config?: AxiosRequestConfig): Promise<Tag[]> {
  const { data } = await api.get<{ items: Tag[] }>("/tags", { ...config, params: { workspace_id: workspaceId } });
  return data.items;
}

const same = (a: string, b: string) => a.toLocaleLowerCase() === b.toLocaleLowerCase();

/** The workspace's tags of these names, created when missing (409: made meanwhile, so read again). */
export async function ensureTags(names: string[], workspaceId: string, config?: AxiosRequestConfig): Promise<Tag[]> {
  if (names.length === 0) return [];
  let known = await workspaceTags(workspaceId, config);
  const found: Tag[] = [];
  for (const name of names) {
    let tag = known.find((candidate) => same(candidate.name, name));
    if (!tag) {
      try {
        const { data } = await api.post<Tag>("/tags", { name, color: NEW_TAG_COLOR, workspace_id: workspaceId }, config);
        tag = data;
      } catch (error) {
        if (!axios.isAxiosError(error) || error.response?.status !== 409) throw error;
        known = await workspaceTags(workspaceId, config);
        tag = known.find((candidate) => same(candidate.name, name));
        if (!tag) throw error;
      }
    }
    found.push(tag);
  }
  return found;
}

/** Attaches each tag; the ones that failed (empty when all are on the task), and the last failure's error. */
export async function attachTags(
  task: Task,
  tags: Tag[],
  config?: AxiosRequestConfig,
): Promise<{ task: Task; failed: Tag[]; error?: unknown }> {
  let latest = task;
  const failed: Tag[] = [];
  let error: unknown;
  for (const tag of tags) {
    try {
      const path = `/tasks/${encodeURIComponent(task.id)}/tags/${encodeURIComponent(tag.id)}`;
      const response = await api.put<Task>(path, undefined, config);
      rememberEtag(response.data.id, response.headers.etag);
      latest = response.data;
    } catch (reason) {
      failed.push(tag);
      error = reason;
    }
  }
  return { task: latest, failed, error };
}
