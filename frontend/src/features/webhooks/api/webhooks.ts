import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { client, type Schema } from "@/lib/api-client";
import { queryRoots } from "@/lib/query-keys";

// Webhooks of a household (PRODUCT.md §12, owners only): signed POSTs of its events to a URL.
export type Webhook = Schema<"WebhookOut">;
/** The answer to a creation: the signing secret is in it, and never again. */
export type WebhookCreated = Schema<"WebhookCreated">;
export type Delivery = Schema<"DeliveryOut">;
export type WebhookEvent = Schema<"WebhookCreate">["events"][number];
export type WebhookBody = Schema<"WebhookCreate">;
export type WebhookChanges = Schema<"WebhookUpdate">;

/** The events a webhook may subscribe to: the live changes, then the alerts (the API's order). */
export const WEBHOOK_EVENTS: { changes: readonly WebhookEvent[]; alerts: readonly WebhookEvent[] } = {
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
};
export const ALL_EVENTS: WebhookEvent[] = [...WEBHOOK_EVENTS.changes, ...WEBHOOK_EVENTS.alerts];

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

export const webhooksQuery = (householdId: number) =>
  queryOptions({
    queryKey: webhookKeys.list(householdId),
    queryFn: async ({ signal }) =>
      (await client.GET("/api/households/{household_id}/webhooks", { path: { household_id: householdId }, signal, silent: true })).items,
  });

/** The last 100 deliveries, newest first; asked again every 5 s while one is still pending. */
export const deliveriesQuery = (householdId: number, webhookId: number) =>
  queryOptions({
    queryKey: webhookKeys.deliveries(householdId, webhookId),
    queryFn: async ({ signal }) =>
      (
        await client.GET("/api/households/{household_id}/webhooks/{webhook_id}/deliveries", {
          path: { household_id: householdId, webhook_id: webhookId },
          signal,
          silent: true,
        })
      ).items,
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
    mutationFn: (body: WebhookBody) =>
      client.POST("/api/households/{household_id}/webhooks", { path: { household_id: householdId }, body, silent: true }),
    onSuccess: invalidate,
  });
}

export function useUpdateWebhook(householdId: number) {
  const invalidate = useInvalidateWebhooks(householdId);
  return useMutation({
    mutationFn: ({ id, changes }: { id: number; changes: WebhookChanges }) =>
      client.PATCH("/api/households/{household_id}/webhooks/{webhook_id}", {
        path: { household_id: householdId, webhook_id: id },
        body: changes,
        silent: true,
      }),
    onSuccess: invalidate,
  });
}

export function useDeleteWebhook(householdId: number) {
  const invalidate = useInvalidateWebhooks(householdId);
  return useMutation({
    mutationFn: (id: number) =>
      client.DELETE("/api/households/{household_id}/webhooks/{webhook_id}", { path: { household_id: householdId, webhook_id: id } }),
    onSuccess: invalidate,
  });
}

/** Queues a `webhook.test` delivery; the log then shows it. */
export function useTestWebhook(householdId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      client.POST("/api/households/{household_id}/webhooks/{webhook_id}/test", { path: { household_id: householdId, webhook_id: id } }),
    onSuccess: (_delivery, id) => queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(householdId, id) }),
  });
}
