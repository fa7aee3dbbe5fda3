"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { Card } from "@/components/ui/states";

import { requestFlush, usePendingEntries } from "../api/hooks";
import { newIdempotencyKey, putEntry, removeEntry, type QueuedEntry } from "../api/queue";

const NUMBER = /^(\d+[.,]?\d*|[.,]\d+)$/;

/** The number the user corrects: a reading's value, a record's amount. */
function numberOf(entry: QueuedEntry): { field: "value" | "amount"; label: string; value: number } {
  return entry.kind === "reading"
    ? { field: "value", label: "Reading", value: (entry.body as { value: number }).value }
    : { field: "amount", label: "Amount", value: entry.body.amount };
}

/** A refused entry: the API's reason, the number to correct (sent again with a new key), or discard. */
function Refused({ entry, onRetry }: { entry: QueuedEntry; onRetry(): void }) {
  const number = numberOf(entry);
  const [text, setText] = useState(String(number.value));
  const [error, setError] = useState<string>();
  const refusal = entry.refusal!;
  const fieldMessages = Object.entries(refusal.fields).map(([field, message]) =>
    /^[a-z]/.test(message) ? `${field}: ${message}` : message,
  );

  const resend = async () => {
    const trimmed = text.trim();
    if (!NUMBER.test(trimmed)) {
      setError(`${number.label} must be a number of 0 or more`);
      return;
    }
    const value = Number(trimmed.replace(",", "."));
    // A changed body is a new request: the old key would be refused with another body (409).
    const body = { ...entry.body, [number.field]: value };
    await putEntry({ ...entry, body, key: newIdempotencyKey(), refusal: undefined } as QueuedEntry);
    onRetry();
  };

  return (
    <div className="mt-2 space-y-2">
      <p role="alert" className="text-sm text-red-700 dark:text-red-300">
        Refused: {fieldMessages.length ? fieldMessages.join(" ") : refusal.message}
      </p>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          void resend();
        }}
      >
        <TextField
          label={`Corrected ${number.label.toLowerCase()}`}
          inputMode="decimal"
          autoComplete="off"
          value={text}
          error={error}
          onChange={(event) => {
            setText(event.target.value);
            setError(undefined);
          }}
        />
        <Button type="submit" variant="secondary">
          Send again
        </Button>
        <Button variant="danger" onClick={() => void removeEntry(entry.id)}>
          Discard
        </Button>
      </form>
    </div>
  );
}

/**
 * What waits on this device to be sent (made offline, or when a request failed), oldest first,
 * each with its state; nothing when the queue is empty.
 */
export function PendingEntries({ kind, meterId, title }: { kind: QueuedEntry["kind"] | null; meterId?: number; title?: string }) {
  const entries = usePendingEntries(kind, meterId);
  if (!entries?.length) return null;
  return (
    <Card title={title ?? "Waiting to be sent"}>
      <ul className="divide-y divide-slate-200 dark:divide-slate-700" data-testid="pending-entries">
        {entries.map((entry) => (
          <li key={entry.id} className="py-2" data-testid="pending-entry">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="text-sm text-slate-800 dark:text-slate-100">{entry.label}</span>
              <span
                className={
                  entry.refusal
                    ? "rounded bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800 dark:bg-red-950 dark:text-red-200"
                    : "rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200"
                }
              >
                {entry.refusal ? "Refused" : "Pending"}
              </span>
            </div>
            {entry.refusal && <Refused entry={entry} onRetry={requestFlush} />}
          </li>
        ))}
      </ul>
    </Card>
  );
}
