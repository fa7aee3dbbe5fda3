import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { client, type QueryOf, type Schema } from "@/lib/api-client";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

// The analytics answers (PRODUCT.md §4). Amounts are canonical units when grouped by type.
export type Summary = Schema<"Summary">;
export type Timeseries = Schema<"Timeseries">;
export type Series = Schema<"Series">;
export type Granularity = Timeseries["granularity"];

export type AnalyticsQuery = QueryOf<"/api/analytics/summary">;
export type TimeseriesQuery = QueryOf<"/api/analytics/timeseries">;

/** The API's cap on the periods of one timeseries (analytics service MAX_POINTS). */
export const MAX_POINTS = 3660;

export const analyticsKeys = {
  all: queryRoots.analytics,
  summary: (query: AnalyticsQuery) => [...queryRoots.analytics, "summary", householdKey(), query] as const,
  timeseries: (query: TimeseriesQuery) => [...queryRoots.analytics, "timeseries", householdKey(), query] as const,
};

export const summaryQuery = (query: AnalyticsQuery) =>
  queryOptions({
    queryKey: analyticsKeys.summary(query),
    queryFn: ({ signal }) => client.GET("/api/analytics/summary", { query: withHousehold(query), signal, silent: true }),
    placeholderData: keepPreviousData,
  });

export const timeseriesQuery = (query: TimeseriesQuery) =>
  queryOptions({
    queryKey: analyticsKeys.timeseries(query),
    queryFn: ({ signal }) => client.GET("/api/analytics/timeseries", { query: withHousehold(query), signal, silent: true }),
  });

/** Whether the user has any record at all (a new account sees the first-run card instead of empty charts). */
export const hasRecordsQuery = () =>
  queryOptions({
    queryKey: [...queryRoots.records, "any", householdKey()] as const,
    queryFn: async ({ signal }) =>
      (await client.GET("/api/records", { query: withHousehold({ page: 1, per_page: 1 }), signal, silent: true })).total > 0,
  });
