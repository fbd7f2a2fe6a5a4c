import { useSyncExternalStore } from "react";
import { currentConnectivity, subscribeConnectivity } from "../api/connectivity";

export function OfflineBanner() {
  const connectivity = useSyncExternalStore(subscribeConnectivity, currentConnectivity, () => "online" as const);
  if (connectivity === "online") return null;
  return (
    <div className="alert alert-warning rounded-0 mb-0 py-2 text-center" role="status" aria-live="polite">
      {connectivity === "offline"
        ? "You are offline. Changes to the tasks in your list are kept on this device and sent when the connection is back; other changes wait for it."
        : "The server cannot be reached right now. Changes to the tasks in your list are kept on this device and sent once it answers again."}
    </div>
  );
}
