import { DeviceNotifications } from "../../features/push/DeviceNotifications";
import { SettingsPage } from "../../features/settings/SettingsPage";
import { TransferSection } from "../../features/transfer/TransferSection";

/** /settings: the account's settings with this device's notifications among them, then export and import. */
export function SettingsRoute() {
  return (
    <>
      <SettingsPage devices={<DeviceNotifications />} />
      <TransferSection />
    </>
  );
}
