import { useSyncExternalStore } from "react";
import { currentConnectivity, subscribeConnectivity } from "../api/connectivity";

export function OfflineBanner() {
  const connectivity = useSyncExternalStore(subscribeConnectivity, currentConnectivity, () => "online" as const);
  if (connectivity === "online") return null;
  return (
    <div className="alert alert-warning rounded-0 mb-0 py-2 text-center" role="status" aria-live="polite">
      {connectivity === "offline"
        ? "You are offline. Changes cannot be saved until the connection is back."
        : "The server cannot be reached right now. Changes cannot be saved until it answers again."}
    </div>
  );
}
