import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { api } from "@/lib/api-client";
import { queryRoots } from "@/lib/query-keys";

// Webhooks of a household (PRODUCT.md §12, owners only): signed POSTs of its events to a URL.
export interface Webhook {
  id: number;
  url: string;
  events: string[];
  description: string;
  enabled: boolean;
  /** Failed attempts in a row; 20 turn the webhook off. */
  consecutive_failures: number;
  created_at: string;
}
/** The answer to a creation: the signing secret is in it, and never again. */
export interface WebhookCreated extends Webhook {
  secret: string;
}
export interface Delivery {
  id: number;
  delivery_id: string;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempt: number;
  status_code: number | null;
  error: string | null;
  created_at: string;
  next_attempt_at: string | null;
  delivered_at: string | null;
}
export type WebhookBody = { url: string; events: string[]; description: string };
export type WebhookChanges = Partial<WebhookBody> & { enabled?: boolean };

/** The events a webhook may subscribe to: the live changes, then the alerts (the API's order). */
export const WEBHOOK_EVENTS = {
  changes: [
    "record.created",
    "record.updated",
    "record.deleted",
    "records.imported",
    "meter.changed",
    "reading.created",
    "reading.updated",
    "reading.deleted",
    "readings.imported",
    "tariff.changed",
    "bill.created",
    "bill.updated",
    "bill.deleted",
    "household.changed",
    "member.changed",
  ],
  alerts: ["budget.threshold", "budget.forecast", "usage.anomaly", "reading.overdue", "token.expiring", "invitation.accepted"],
} as const;
export const ALL_EVENTS: string[] = [...WEBHOOK_EVENTS.changes, ...WEBHOOK_EVENTS.alerts];

export const webhookSchema = z.object({
  url: z
    .string()
    .trim()
    .min(1, "Enter the address that receives the events")
    .max(2048, "The address must be at most 2,048 characters")
    .regex(/^https?:\/\/[^\s/?#]+\S*$/i, "Enter a full address, such as https://example.com/hooks/meterbook"),
  events: z.array(z.string()).min(1, "Choose at least one event"),
  description: z.string().trim().max(200, "The description must be at most 200 characters"),
  enabled: z.boolean(),
});
export type WebhookInput = z.infer<typeof webhookSchema>;

/** Keys per household: the card is on `/households/[id]`, which need not be the current household. */
export const webhookKeys = {
  list: (householdId: number) => [...queryRoots.webhooks, householdId] as const,
  deliveries: (householdId: number, webhookId: number) => [...queryRoots.webhooks, householdId, webhookId, "deliveries"] as const,
};

const base = (householdId: number) => `/api/households/${householdId}/webhooks`;

export const webhooksQuery = (householdId: number) =>
  queryOptions({
    queryKey: webhookKeys.list(householdId),
    queryFn: async ({ signal }) => (await api.get<{ items: Webhook[] }>(base(householdId), { signal, silent: true })).data.items,
  });

/** The last 100 deliveries, newest first; asked again every 5 s while one is still pending. */
export const deliveriesQuery = (householdId: number, webhookId: number) =>
  queryOptions({
    queryKey: webhookKeys.deliveries(householdId, webhookId),
    queryFn: async ({ signal }) =>
      (await api.get<{ items: Delivery[] }>(`${base(householdId)}/${webhookId}/deliveries`, { signal, silent: true })).data.items,
    refetchInterval: (query) => (query.state.data?.some((delivery) => delivery.status === "pending") ? 5000 : false),
  });

function useInvalidateWebhooks(householdId: number) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: webhookKeys.list(householdId) });
}

/** The form shows the failure (silent). */
export function useCreateWebhook(householdId: number) {
  const invalidate = useInvalidateWebhooks(householdId);
  return useMutation({
    mutationFn: async (body: WebhookBody) => (await api.post<WebhookCreated>(base(householdId), body, { silent: true })).data,
    onSuccess: invalidate,
  });
}

export function useUpdateWebhook(householdId: number) {
  const invalidate = useInvalidateWebhooks(householdId);
  return useMutation({
    mutationFn: async ({ id, changes }: { id: number; changes: WebhookChanges }) =>
      (await api.patch<Webhook>(`${base(householdId)}/${id}`, changes, { silent: true })).data,
    onSuccess: invalidate,
  });
}

export function useDeleteWebhook(householdId: number) {
  const invalidate = useInvalidateWebhooks(householdId);
  return useMutation({
    mutationFn: async (id: number) => {
      await api.delete(`${base(householdId)}/${id}`);
    },
    onSuccess: invalidate,
  });
}

/** Queues a `webhook.test` delivery; the log then shows it. */
export function useTestWebhook(householdId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => (await api.post<Delivery>(`${base(householdId)}/${id}/test`)).data,
    onSuccess: (_delivery, id) => queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(householdId, id) }),
  });
}
