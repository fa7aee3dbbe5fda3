import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";

import { currentHouseholdId } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

import { listEntries, subscribe, type QueuedEntry } from "./queue";
import { flushQueue, type FlushResult } from "./sync";

/** How often a queue that is not empty is tried again while the page is open. */
export const RETRY_INTERVAL_MS = 20_000;

function subscribeOnline(onChange: () => void): () => void {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}

const FLUSH_EVENT = "meterbook:flush";

/** Ask the page's sync to send the queue now (a corrected entry, a new one saved while online). */
export function requestFlush(): void {
  window.dispatchEvent(new Event(FLUSH_EVENT));
}

/** Whether the browser has a connection (true while rendering on the server). */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}

/** The queue's entries of the current household, of one kind (and meter), oldest first; null until read. */
export function usePendingEntries(kind: QueuedEntry["kind"] | null, meterId?: number): QueuedEntry[] | null {
  const [entries, setEntries] = useState<QueuedEntry[] | null>(null);
  useEffect(() => {
    let active = true;
    const read = () =>
      void listEntries()
        .then((all) => {
          if (active) setEntries(all);
        })
        .catch(() => {
          // IndexedDB unavailable (a private window of some browsers): nothing is queued.
          if (active) setEntries([]);
        });
    read();
    const unsubscribe = subscribe(read);
    return () => {
      active = false;
      unsubscribe();
    };
  }, []);
  if (entries === null) return null;
  const household = currentHouseholdId();
  return entries.filter(
    (entry) =>
      (kind === null || entry.kind === kind) &&
      (meterId === undefined || entry.meterId === meterId) &&
      (kind === null || household === null || entry.householdId === household),
  );
}

/**
 * Send what waits in the queue: now (a page opened), when the connection returns, and every
 * RETRY_INTERVAL_MS while anything waits. What was sent shows in the lists at once.
 */
export function useOfflineSync(): () => Promise<FlushResult> {
  const queryClient = useQueryClient();
  const flush = useCallback(async () => {
    const result = await flushQueue();
    const kinds = new Set(result.sent.map((entry) => entry.kind));
    const roots = [
      ...(kinds.has("reading") ? [queryRoots.readings, queryRoots.meters] : []),
      ...(kinds.has("record") ? [queryRoots.records] : []),
      ...(kinds.size ? [queryRoots.analytics] : []),
    ];
    await Promise.all(roots.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    return result;
  }, [queryClient]);

  useEffect(() => {
    const run = () => void flush().catch(() => undefined);
    run();
    window.addEventListener("online", run);
    window.addEventListener(FLUSH_EVENT, run);
    const timer = window.setInterval(run, RETRY_INTERVAL_MS);
    return () => {
      window.removeEventListener("online", run);
      window.removeEventListener(FLUSH_EVENT, run);
      window.clearInterval(timer);
    };
  }, [flush]);
  return flush;
}

/** Runs the queue's sync while a signed-in page is open (the shell mounts it once). */
export function OfflineSync(): null {
  useOfflineSync();
  return null;
}
