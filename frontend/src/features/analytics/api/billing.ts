import { queryOptions } from "@tanstack/react-query";

import { api, type Schema } from "@/lib/api-client";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// The billing period's figures (PRODUCT.md §11, GET /api/analytics/billing).
export interface BillingGroup {
  key: string;
  label: string;
  unit: string;
  to_date_total: number;
  to_date_cost: number;
  forecast_total: number;
  forecast_cost: number;
  previous_total: number;
  previous_cost: number;
  last_year_total: number;
  last_year_cost: number;
}
export interface Billing {
  period: { from: string; to: string };
  days_elapsed: number;
  days_total: number;
  groups: BillingGroup[];
}
export interface BillingQuery {
  group_by?: "type" | "meter";
  date?: string;
}

/** The billing period holding ``date`` (default today): to date, forecast, previous period and last year, per type. */
export const billingQuery = (query: BillingQuery) =>
  queryOptions({
    queryKey: [...queryRoots.analytics, "billing", householdKey(), query] as const,
    queryFn: async ({ signal }) =>
      (await api.get<Billing>("/api/analytics/billing", { params: withHousehold({ group_by: "type", ...query }), signal, silent: true }))
        .data,
  });

/** A summary group's cost in its parts (usage, standing charge, tax), whose sum is its cost_total. */
export type CostedGroup = Schema<"SummaryGroup"> & { cost_usage?: number; cost_standing?: number; cost_tax?: number };
