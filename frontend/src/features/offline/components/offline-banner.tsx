"use client";

import { useOnline } from "../api/hooks";

/** Says the device is offline, and what still works. */
export function OfflineBanner() {
  const online = useOnline();
  if (online) return null;
  return (
    <div
      role="status"
      data-testid="offline-banner"
      className="bg-amber-100 px-4 py-2 text-center text-sm font-medium text-amber-950 dark:bg-amber-900 dark:text-amber-50"
    >
      You are offline. Readings and records you save are kept on this device and sent when the connection returns.
    </div>
  );
}
