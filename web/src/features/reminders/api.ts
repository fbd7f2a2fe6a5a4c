import { api } from "../../api/client";

export interface Reminder {
  id: string;
  task_id: string;
  at: string | null;
  before_due: string | null;
  scheduled_at: string | null;
  status: "pending" | "sent" | "missed" | "failed" | "quarantined";
  sent_at: string | null;
  /** account: the webhook, else e-mail; push: the user's devices with notifications on. */
  channel: Channel;
}

export type Channel = "account" | "push";

const path = (taskId: string) => `/tasks/${encodeURIComponent(taskId)}/reminders`;

export async function listReminders(taskId: string, signal?: AbortSignal): Promise<Reminder[]> {
  const { data } = await api.get<{ items: Reminder[] }>(path(taskId), { signal });
  return data.items;
}

export async function addReminder(
  taskId: string,
  body: ({ at: string } | { before_due: string }) & { channel?: Channel },
): Promise<Reminder> {
  const { data } = await api.post<Reminder>(path(taskId), body);
  return data;
}

export async function deleteReminder(taskId: string, reminderId: string): Promise<void> {
  await api.delete(`${path(taskId)}/${encodeURIComponent(reminderId)}`);
}
