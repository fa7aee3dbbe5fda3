import { ApiError, client } from "@/lib/api-client";

import { currentHouseholdId } from "@/lib/household";

import { enqueue, listEntries, putEntry, removeEntry, type QueuedEntry, type QueuedWrite } from "./queue";

/** The result of one pass over the queue. */
export interface FlushResult {
  sent: QueuedEntry[];
  refused: QueuedEntry[];
  /** Entries left for later: the network or the server failed (or the session could not be used). */
  waiting: number;
}

/** Whether the browser says it has no connection (a failed request is the other sign). */
export function isOffline(): boolean {
  return typeof navigator !== "undefined" && navigator.onLine === false;
}

/** A request that never got an answer: worth queueing and trying again. */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof ApiError && error.status === 0 && error.code !== "canceled";
}

/** Worth another try later: no answer, a server failure, a rate limit, or a session to restore first. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status === 401 || error.status === 408 || error.status === 429 || error.status >= 500;
}

function send(entry: QueuedEntry) {
  // The same key on every attempt: an answer lost on the way makes the next attempt a replay, not a second write.
  const options = { headers: { "Idempotency-Key": entry.key }, silent: true };
  return entry.kind === "reading"
    ? client.POST("/api/readings", { body: entry.body, ...options })
    : client.POST("/api/records", { body: entry.body, ...options });
}

async function flushOnce(): Promise<FlushResult> {
  const result: FlushResult = { sent: [], refused: [], waiting: 0 };
  const entries = (await listEntries()).filter((entry) => !entry.refusal);
  if (isOffline()) return { ...result, waiting: entries.length };
  for (const [index, entry] of entries.entries()) {
    try {
      await send(entry);
    } catch (error) {
      if (isTransient(error)) {
        // In order: what follows waits behind this one.
        result.waiting = entries.length - index;
        return result;
      }
      const apiError = error as ApiError;
      const refused: QueuedEntry = {
        ...entry,
        refusal: { status: apiError.status, message: apiError.message, fields: apiError.fieldErrors },
      };
      await putEntry(refused);
      result.refused.push(refused);
      continue;
    }
    // Removed only once the API has it (2xx, or a replay of the first answer).
    await removeEntry(entry.id);
    result.sent.push(entry);
  }
  return result;
}

let running: Promise<FlushResult> | null = null;

/**
 * Send the queue's entries in order. One pass at a time in this tab, and across tabs when the
 * browser has Web Locks; two passes that still met would send the same key, which the API
 * writes once.
 */
export function flushQueue(): Promise<FlushResult> {
  running ??= (async () => {
    try {
      if (typeof navigator !== "undefined" && navigator.locks)
        return await navigator.locks.request("meterbook-offline-queue", () => flushOnce());
      return await flushOnce();
    } finally {
      running = null;
    }
  })();
  return running;
}

/** Keep a create for later, with the key its first attempt carried. */
export function queueWrite({ write, ...rest }: { write: QueuedWrite; meterId: number; label: string; key: string }): Promise<QueuedEntry> {
  return enqueue({ ...write, ...rest, householdId: currentHouseholdId() });
}
