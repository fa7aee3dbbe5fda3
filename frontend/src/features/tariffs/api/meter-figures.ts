import { queryOptions } from "@tanstack/react-query";

import { client } from "@/lib/api-client";
import { householdKey, withHousehold } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

/** A meter's latest record (its last value). */
export const meterLatestQuery = (meterId: number) =>
  queryOptions({
    queryKey: [...queryRoots.records, "latest", householdKey(), meterId] as const,
    queryFn: ({ signal }) =>
      client.GET("/api/records", {
        query: withHousehold({ meter_id: meterId, sort: "-date" as const, page: 1, per_page: 1 }),
        signal,
        silent: true,
      }),
  });

/** The month of ``today`` to date: the first day and today. */
export function monthToDate(today: string): { date_from: string; date_to: string } {
  return { date_from: `${today.slice(0, 8)}01`, date_to: today };
}

/** One meter's total and cost this month to date, against the same days of last month. */
export const meterMonthSummaryQuery = (meterId: number, today: string) =>
  queryOptions({
    queryKey: [...queryRoots.analytics, "meter-detail", householdKey(), meterId, today] as const,
    queryFn: ({ signal }) =>
      client.GET("/api/analytics/summary", {
        query: withHousehold({ group_by: "meter" as const, meter_id: meterId, ...monthToDate(today) }),
        signal,
        silent: true,
      }),
  });

/** One meter's daily totals this month to date. */
export const meterDailyQuery = (meterId: number, today: string) =>
  queryOptions({
    queryKey: [...queryRoots.analytics, "meter-daily", householdKey(), meterId, today] as const,
    queryFn: ({ signal }) =>
      client.GET("/api/analytics/timeseries", {
        query: withHousehold({ group_by: "meter" as const, meter_id: meterId, granularity: "day" as const, ...monthToDate(today) }),
        signal,
        silent: true,
      }),
  });
