import { api } from "@/lib/api-client";

// The analytics answers (PRODUCT.md §4). Amounts are canonical units when grouped by type.
export interface Period {
  from: string;
  to: string;
}
export interface SummaryGroup {
  key: string;
  label: string;
  unit: string;
  total: number;
  count: number;
  average_per_day: number;
  min: number | null;
  max: number | null;
  cost_total: number | null;
  previous_total: number;
  change_pct: number | null;
}
export interface Summary {
  period: Period;
  previous_period: Period;
  groups: SummaryGroup[];
}
export interface SeriesPoint {
  period_start: string;
  total: number;
  count: number;
  cost: number | null;
}
export interface Series {
  key: string;
  label: string;
  unit: string;
  points: SeriesPoint[];
}
export type Granularity = "day" | "week" | "month" | "year";
export interface Timeseries {
  granularity: Granularity;
  series: Series[];
}

export interface AnalyticsQuery {
  date_from?: string;
  date_to?: string;
  group_by?: "type" | "meter";
  meter_id?: number;
  type?: string;
}

export async function getSummary(query: AnalyticsQuery): Promise<Summary> {
  const { data } = await api.get<Summary>("/api/analytics/summary", { params: query });
  return data;
}

export async function getTimeseries(query: AnalyticsQuery & { granularity?: Granularity }): Promise<Timeseries> {
  const { data } = await api.get<Timeseries>("/api/analytics/timeseries", { params: query });
  return data;
}
