import { useCallback, useEffect, useState } from "react";
import { httpStatus } from "../../api/problem";
import { notifyError, notifySuccess } from "../../components/notify";
import { applicationServerKey, deviceSubscription, pushSupported, workerRegistration } from "../../lib/push/device";
import { deletePushSubscription, fetchVapidKey, listPushSubscriptions, savePushSubscription } from "./api";

export type DeviceState = "checking" | "unsupported" | "unavailable" | "denied" | "on" | "off";

const DESCRIPTION: Record<DeviceState, string> = {
  checking: "Checking this device…",
  unsupported: "This browser cannot show notifications from a web app.",
  unavailable: "Unavailable until the app's offline support is running on this device: reload the page in a moment.",
  denied: "Notifications are blocked for this site. Allow them in the browser's site settings, then turn them on here.",
  on: "On: reminders sent by push appear on this device.",
  off: "Off: this device shows no reminders.",
};

/** What this device's notifications are now: the browser's subscription as the server knows it. */
async function detect(): Promise<DeviceState> {
  if (!pushSupported()) return "unsupported";
  if (!(await workerRegistration())) return "unavailable";
  if (Notification.permission === "denied") return "denied";
  const subscription = await deviceSubscription();
  if (!subscription) return "off";
  const known = await listPushSubscriptions();
  return known.some((item) => item.endpoint === subscription.endpoint) ? "on" : "off";
}

export function DeviceNotifications() {
  const [state, setState] = useState<DeviceState>("checking");
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    detect()
      .then(setState)
      .catch(() => setState("off"));
  }, []);
  useEffect(refresh, [refresh]);

  async function turnOn() {
    setBusy(true);
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        setState(Notification.permission === "denied" ? "denied" : "off");
        return;
      }
      const key = applicationServerKey(await fetchVapidKey());
      const registration = await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      // One made with another server key (the server's was replaced) cannot take ours.
      if (subscription && !sameKey(subscription, key)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      await savePushSubscription(subscription.toJSON());
      setState("on");
      notifySuccess("Notifications are on for this device.");
    } catch (error) {
      notifyError(error, { context: "Could not turn on notifications on this device." });
      refresh();
    } finally {
      setBusy(false);
    }
  }

  async function turnOff() {
    setBusy(true);
    try {
      const subscription = await deviceSubscription();
      if (subscription) {
        const record = (await listPushSubscriptions()).find((item) => item.endpoint === subscription.endpoint);
        if (record) {
          try {
            await deletePushSubscription(record.id);
          } catch (error) {
            if (httpStatus(error) !== 404) throw error;
          }
        }
        await subscription.unsubscribe();
      }
      setState("off");
      notifySuccess("Notifications are off for this device.");
    } catch (error) {
      notifyError(error, { context: "Could not turn off notifications on this device." });
    } finally {
      setBusy(false);
    }
  }

  const canTurnOn = state === "off";
  return (
    <section className="card mb-3" aria-labelledby="device-notifications-heading">
      <div className="card-body">
        <h2 id="device-notifications-heading" className="h5">Notifications on this device</h2>
        <p className="small">
          Reminders set to “this device” appear as notifications on every device where this is on; where none is on,
          they come by e-mail (or your webhook).
        </p>
        <p className="mb-2" role="status" data-testid="device-notifications-state" data-state={state}>
          {DESCRIPTION[state]}
        </p>
        {state === "on" && (
          <button type="button" className="btn btn-outline-danger" onClick={() => void turnOff()} disabled={busy}>
            Turn off on this device
          </button>
        )}
        {(canTurnOn || state === "denied") && (
          <button type="button" className="btn btn-outline-primary" onClick={() => void turnOn()} disabled={busy || !canTurnOn}>
            Turn on for this device
          </button>
        )}
      </div>
    </section>
  );
}

function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const current = subscription.options.applicationServerKey;
  if (!current) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((value, index) => value === key[index]);
}
