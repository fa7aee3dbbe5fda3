import { queryOptions } from "@tanstack/react-query";

import { client, type QueryOf, type Schema } from "@/lib/api-client";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// The billing period's figures (PRODUCT.md §11, GET /api/analytics/billing).
export type Billing = Schema<"Billing">;
export type BillingGroup = Schema<"BillingGroup">;
export type BillingQuery = QueryOf<"/api/analytics/billing">;

/** The billing period holding ``date`` (default today): to date, forecast, previous period and last year, per type. */
export const billingQuery = (query: BillingQuery) =>
  queryOptions({
    queryKey: [...queryRoots.analytics, "billing", householdKey(), query] as const,
    queryFn: ({ signal }) =>
      client.GET("/api/analytics/billing", { query: withHousehold({ group_by: "type" as const, ...query }), signal, silent: true }),
  });
