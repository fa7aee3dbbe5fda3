import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { client, type QueryOf } from "@/lib/api-client";
import { queryRoots } from "@/lib/query-keys";

// A share link's public view (PRODUCT.md §9): the household's name and meters, and the analytics' aggregates.
export type SharedSummaryQuery = QueryOf<"/api/shared/{token}/analytics/summary">;
export type SharedTimeseriesQuery = QueryOf<"/api/shared/{token}/analytics/timeseries">;

export const sharedKeys = {
  household: (token: string) => [...queryRoots.shared, token] as const,
  summary: (token: string, query: SharedSummaryQuery) => [...queryRoots.shared, token, "summary", query] as const,
  timeseries: (token: string, query: SharedTimeseriesQuery) => [...queryRoots.shared, token, "timeseries", query] as const,
};

// No session: a visitor of a share link is not signed in, so no refresh is tried on a 401/404.
export const sharedHouseholdQuery = (token: string) =>
  queryOptions({
    queryKey: sharedKeys.household(token),
    queryFn: ({ signal }) => client.GET("/api/shared/{token}", { path: { token }, signal, silent: true, skipAuthRefresh: true }),
  });

export const sharedSummaryQuery = (token: string, query: SharedSummaryQuery) =>
  queryOptions({
    queryKey: sharedKeys.summary(token, query),
    queryFn: ({ signal }) =>
      client.GET("/api/shared/{token}/analytics/summary", { path: { token }, query, signal, silent: true, skipAuthRefresh: true }),
    placeholderData: keepPreviousData,
  });

export const sharedTimeseriesQuery = (token: string, query: SharedTimeseriesQuery) =>
  queryOptions({
    queryKey: sharedKeys.timeseries(token, query),
    queryFn: ({ signal }) =>
      client.GET("/api/shared/{token}/analytics/timeseries", { path: { token }, query, signal, silent: true, skipAuthRefresh: true }),
    placeholderData: keepPreviousData,
  });
