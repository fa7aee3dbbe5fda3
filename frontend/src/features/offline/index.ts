// What the rest of the app uses of the offline queue.
export { OfflineBanner } from "./components/offline-banner";
export { PendingEntries } from "./components/pending-entries";
export { OfflineSync, requestFlush, useOfflineSync, useOnline, usePendingEntries } from "./api/hooks";
export { newIdempotencyKey } from "./api/queue";
export { isNetworkFailure, isOffline, queueWrite } from "./api/sync";
