import { SettingsPage } from "../../features/settings/SettingsPage";
import { TransferSection } from "../../features/transfer/TransferSection";

/** /settings: the account's settings, then export and import. */
export function SettingsRoute() {
  return (
    <>
      <SettingsPage />
      <TransferSection />
    </>
  );
}
