import { useSyncExternalStore } from "react";
import { subscribeQueuedWrites } from "../../api/offlineWrites";
import { currentWrites, type QueuedWrite } from "./writeQueue";

const NO_WRITES: readonly never[] = [];

/** The changes queued offline (writeQueue.ts), followed as they change in this tab or another. */
export function useQueuedWrites(): readonly QueuedWrite[] {
  return useSyncExternalStore(subscribeQueuedWrites, currentWrites, () => NO_WRITES);
}
