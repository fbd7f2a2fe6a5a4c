import { DeviceNotifications } from "../../features/push/DeviceNotifications";
import { SettingsPage } from "../../features/settings/SettingsPage";

/** Settings, with this device's notifications among them. */
export function SettingsRoute() {
  return <SettingsPage devices={<DeviceNotifications />} />;
}
