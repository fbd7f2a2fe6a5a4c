/**
 * Whether the app can talk to the API: the browser's own online flag, and whether the
 * last request reached the server at all. Components read it with `useConnectivity`.
 */
export type Connectivity = "online" | "offline" | "unreachable";

let serverUnreachable = false;
const listeners = new Set<() => void>();

function emit(): void {
  listeners.forEach((listener) => listener());
}

export function reportNetworkFailure(): void {
  if (!serverUnreachable) {
    serverUnreachable = true;
    emit();
  }
}

export function reportServerReached(): void {
  if (serverUnreachable) {
    serverUnreachable = false;
    emit();
  }
}

export function currentConnectivity(): Connectivity {
  if (typeof navigator !== "undefined" && navigator.onLine === false) return "offline";
  return serverUnreachable ? "unreachable" : "online";
}

export function subscribeConnectivity(listener: () => void): () => void {
  listeners.add(listener);
  const onBrowserChange = () => {
    if (navigator.onLine) serverUnreachable = false;
    listener();
  };
  window.addEventListener("online", onBrowserChange);
  window.addEventListener("offline", onBrowserChange);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("online", onBrowserChange);
    window.removeEventListener("offline", onBrowserChange);
  };
}

export function resetConnectivityForTests(): void {
  serverUnreachable = false;
}
