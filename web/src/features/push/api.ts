import { api } from "../../api/client";

export interface PushSubscriptionRecord {
  id: string;
  endpoint: string;
  created_at: string;
}

export async function fetchVapidKey(): Promise<string> {
  const { data } = await api.get<{ key: string }>("/push/vapid-public-key");
  return data.key;
}

export async function listPushSubscriptions(): Promise<PushSubscriptionRecord[]> {
  const { data } = await api.get<{ items: PushSubscriptionRecord[] }>("/push-subscriptions");
  return data.items;
}

/** POST the browser's subscription (PushSubscription.toJSON()); the same endpoint again updates it. */
export async function savePushSubscription(subscription: PushSubscriptionJSON): Promise<PushSubscriptionRecord> {
  const { data } = await api.post<PushSubscriptionRecord>("/push-subscriptions", subscription);
  return data;
}

export async function deletePushSubscription(id: string): Promise<void> {
  await api.delete(`/push-subscriptions/${encodeURIComponent(id)}`);
}
