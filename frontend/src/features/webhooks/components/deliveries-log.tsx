"use client";

import { useQuery } from "@tanstack/react-query";

import { ErrorState } from "@/components/ui/states";
import { deliveriesQuery, type Delivery } from "@/features/webhooks/api/webhooks";

const STATUS = {
  delivered: { label: "Delivered", className: "text-emerald-700 dark:text-emerald-400" },
  pending: { label: "Retrying", className: "text-amber-700 dark:text-amber-300" },
  failed: { label: "Failed", className: "text-red-700 dark:text-red-400" },
} as const;

function when(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" }).format(date);
}

/** A pending delivery not tried yet is queued; one tried already is being retried. */
function outcome(delivery: Delivery) {
  if (delivery.status === "pending" && delivery.attempt === 0) return { label: "Queued", className: "text-slate-700 dark:text-slate-200" };
  return STATUS[delivery.status];
}

/** Delivered at, or when the next attempt is due, or nothing more to come. */
function timing(delivery: Delivery): string {
  if (delivery.delivered_at) return `Delivered ${when(delivery.delivered_at)}`;
  if (delivery.next_attempt_at) return `${delivery.attempt === 0 ? "Sending" : "Next attempt"} ${when(delivery.next_attempt_at)}`;
  return "No more attempts";
}

/** A webhook's last 100 deliveries, newest first: event, outcome, status code, attempt, timing and error. */
export function DeliveriesLog({ householdId, webhookId }: { householdId: number; webhookId: number }) {
  const deliveries = useQuery(deliveriesQuery(householdId, webhookId));
  if (deliveries.error && !deliveries.data) return <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />;
  if (!deliveries.data) return <p className="text-sm text-slate-600 dark:text-slate-300">Loading deliveries…</p>;
  if (!deliveries.data.length)
    return <p className="text-sm text-slate-600 dark:text-slate-300">No deliveries yet: “Send test” sends one now.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" aria-label="Deliveries">
        <thead>
          <tr className="text-left text-slate-600 dark:text-slate-300">
            <th scope="col" className="py-2 pr-3 font-medium">
              Event
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              Status
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              Code
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              Attempt
            </th>
            <th scope="col" className="py-2 pr-3 font-medium">
              When
            </th>
            <th scope="col" className="py-2 font-medium">
              Error
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {deliveries.data.map((delivery) => (
            <tr key={delivery.id} data-testid={`delivery-${delivery.id}`} className="align-top">
              <td className="py-2 pr-3 font-mono text-xs">{delivery.event}</td>
              <td className={`py-2 pr-3 ${outcome(delivery).className}`}>{outcome(delivery).label}</td>
              <td className="py-2 pr-3 text-right tabular-nums">{delivery.status_code ?? "—"}</td>
              <td className="py-2 pr-3 text-right tabular-nums">{delivery.attempt}</td>
              <td className="py-2 pr-3 whitespace-nowrap">{timing(delivery)}</td>
              <td className="py-2 break-all text-slate-700 dark:text-slate-200">{delivery.error ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
