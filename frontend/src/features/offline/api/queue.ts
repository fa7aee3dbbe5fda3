import { openDB, type DBSchema, type IDBPDatabase } from "idb";

import type { Schema } from "@/lib/api-client";

/** What the queue holds: creates of readings and records, each with its own Idempotency-Key. */
export type QueuedWrite = { kind: "reading"; body: Schema<"ReadingCreate"> } | { kind: "record"; body: Schema<"RecordCreate"> };

/** The API's refusal of a queued entry, kept on it for the user to fix or discard. */
export interface QueuedRefusal {
  status: number;
  message: string;
  fields: Record<string, string>;
}

export type QueuedEntry = QueuedWrite & {
  /** Autoincremented: the order the entries were made in, and the order they are sent in. */
  id: number;
  /** The Idempotency-Key every attempt of this body carries (a corrected body gets a new one). */
  key: string;
  meterId: number;
  /** The household on screen when it was made (the pending lists show their household's only). */
  householdId: number | null;
  /** What the pending lists show ("1,234.5 kWh on Electricity, 27 Nov 2026, 09:30"). */
  label: string;
  createdAt: string;
  refusal?: QueuedRefusal;
};

export type NewEntry = Omit<QueuedEntry, "id" | "createdAt" | "refusal">;

interface OfflineDb extends DBSchema {
  entries: { key: number; value: QueuedEntry };
}

const DB_NAME = "meterbook-offline";
const CHANNEL = "meterbook-offline";

let dbPromise: Promise<IDBPDatabase<OfflineDb>> | null = null;

function db(): Promise<IDBPDatabase<OfflineDb>> {
  dbPromise ??= openDB<OfflineDb>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore("entries", { keyPath: "id", autoIncrement: true });
    },
  });
  return dbPromise;
}

/** Close and forget the open connection (tests start each case on a fresh database). */
export async function resetQueueConnection(): Promise<void> {
  const open = dbPromise;
  dbPromise = null;
  (await open?.catch(() => null))?.close();
}

type Listener = () => void;
const listeners = new Set<Listener>();
let channel: BroadcastChannel | null | undefined;

function broadcast(): BroadcastChannel | null {
  if (channel === undefined) {
    channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);
    // Another tab changed the queue: this tab's lists read it again.
    if (channel) {
      channel.onmessage = () => listeners.forEach((listener) => listener());
      // Node's channel (tests) would keep the process alive; browsers have no unref.
      (channel as BroadcastChannel & { unref?: () => void }).unref?.();
    }
  }
  return channel;
}

function changed(): void {
  listeners.forEach((listener) => listener());
  broadcast()?.postMessage("changed");
}

/** Call ``listener`` whenever the queue changes, in this tab or another. */
export function subscribe(listener: Listener): () => void {
  broadcast();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A fresh Idempotency-Key (a UUID; crypto.randomUUID needs a secure context, getRandomValues does not). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function enqueue(entry: NewEntry): Promise<QueuedEntry> {
  const database = await db();
  const stored = { ...entry, createdAt: new Date().toISOString() } as Omit<QueuedEntry, "id">;
  const id = await database.add("entries", stored as QueuedEntry);
  changed();
  return { ...stored, id } as QueuedEntry;
}

/** Every entry, oldest first. */
export async function listEntries(): Promise<QueuedEntry[]> {
  return (await db()).getAll("entries");
}

export async function removeEntry(id: number): Promise<void> {
  await (await db()).delete("entries", id);
  changed();
}

export async function putEntry(entry: QueuedEntry): Promise<void> {
  await (await db()).put("entries", entry);
  changed();
}
