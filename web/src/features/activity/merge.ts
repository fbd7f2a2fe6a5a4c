import type { ActivityItem } from "./api";

/** A change is in the feed within about 2 s: news from another tab is read again after that too. */
export const RECORDING_DELAY_MS = 2_500;

/** The first page read again, over what is shown: new entries on top, known ones as the server has them now. */
export function mergeNewest(shown: ActivityItem[], firstPage: ActivityItem[]): ActivityItem[] {
  const fresh = new Map(firstPage.map((item) => [item.id, item]));
  const known = new Set(shown.map((item) => item.id));
  return [...firstPage.filter((item) => !known.has(item.id)), ...shown.map((item) => fresh.get(item.id) ?? item)];
}
