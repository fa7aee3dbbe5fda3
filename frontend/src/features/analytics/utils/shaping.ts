/** Pure functions that turn the analytics answers into what the cards and charts draw. */
import type { Series, Summary, Timeseries } from "@/features/analytics/api/analytics";
import { formatUnit } from "@/lib/format";

export const TYPE_ORDER = ["electricity", "water", "gas", "other"];
export const TYPE_COLORS: Record<string, string> = {
  electricity: "#f59e0b",
  water: "#0ea5e9",
  gas: "#ef4444",
  other: "#8b5cf6",
};
const FALLBACK_COLORS = ["#6366f1", "#10b981", "#f97316", "#64748b"];

/** Group keys are a type, `other:<unit>` for other meters, or a meter id. */
function typeOf(key: string): string {
  return key.split(":")[0] ?? key;
}

export function colorFor(key: string, index: number): string {
  return (key.includes(":") ? undefined : TYPE_COLORS[typeOf(key)]) ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length]!;
}

function typeRank(key: string): number {
  const rank = TYPE_ORDER.indexOf(typeOf(key));
  return rank === -1 ? TYPE_ORDER.length : rank;
}

export interface Kpi {
  key: string;
  label: string;
  unit: string;
  total: number;
  previous: number;
  changePct: number | null;
  trend: "up" | "down" | "flat" | "new";
  cost: number | null;
  count: number;
}

export function kpiCards(summary: Summary): Kpi[] {
  return [...summary.groups]
    .sort((a, b) => typeRank(a.key) - typeRank(b.key))
    .map((group) => ({
      key: group.key,
      label: group.label,
      unit: group.unit,
      total: group.total,
      previous: group.previous_total,
      changePct: group.change_pct,
      trend:
        group.change_pct === null
          ? group.total > 0
            ? "new"
            : "flat"
          : group.change_pct > 0
            ? "up"
            : group.change_pct < 0
              ? "down"
              : "flat",
      cost: group.cost_total,
      count: group.count,
    }));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-03-01" → "Mar 2026" (month), "Mar 2" (day/week), "2026" (year). */
export function periodLabel(periodStart: string, granularity: Timeseries["granularity"]): string {
  const [year, month, day] = periodStart.split("-");
  const name = MONTHS[Number(month) - 1] ?? month;
  if (granularity === "year") return year ?? periodStart;
  if (granularity === "month") return `${name} ${year}`;
  return `${name} ${Number(day)}`;
}

export interface ChartData {
  labels: string[];
  datasets: { label: string; data: number[]; backgroundColor: string; borderColor: string; unit: string }[];
}

export type BarMetric = "cost" | "count";

/** Monthly bars stacked by type: cost (in the user's currency) or number of records. */
export function stackedBars(timeseries: Timeseries, metric: BarMetric): ChartData {
  const starts = [...new Set(timeseries.series.flatMap((series) => series.points.map((point) => point.period_start)))].sort();
  const series = [...timeseries.series].sort((a, b) => typeRank(a.key) - typeRank(b.key));
  return {
    labels: starts.map((start) => periodLabel(start, timeseries.granularity)),
    datasets: series.map((item, index) => {
      const byStart = new Map(item.points.map((point) => [point.period_start, point]));
      return {
        label: item.label,
        unit: item.unit,
        backgroundColor: colorFor(item.key, index),
        borderColor: colorFor(item.key, index),
        data: starts.map((start) => {
          const point = byStart.get(start);
          return point ? (metric === "cost" ? (point.cost ?? 0) : point.count) : 0;
        }),
      };
    }),
  };
}

/** One meter's consumption over time (the first series of a timeseries filtered by meter). */
export function meterLine(timeseries: Timeseries): ChartData {
  const series: Series | undefined = timeseries.series[0];
  if (!series) return { labels: [], datasets: [] };
  return {
    labels: series.points.map((point) => periodLabel(point.period_start, timeseries.granularity)),
    datasets: [
      {
        label: `${series.label} (${formatUnit(series.unit)})`,
        unit: series.unit,
        data: series.points.map((point) => point.total),
        backgroundColor: "rgba(99, 102, 241, 0.15)",
        borderColor: "#6366f1",
      },
    ],
  };
}

export interface Share {
  labels: string[];
  data: number[];
  colors: string[];
  total: number;
  /** Each slice's share in percent, rounded to one decimal. */
  percents: number[];
}

/** Cost share per type for the period: the one measure that adds up across units. */
export function costShare(summary: Summary): Share | null {
  const groups = [...summary.groups].filter((group) => (group.cost_total ?? 0) > 0).sort((a, b) => typeRank(a.key) - typeRank(b.key));
  const total = Math.round(groups.reduce((sum, group) => sum + (group.cost_total ?? 0), 0) * 100) / 100;
  if (!groups.length || total <= 0) return null;
  return {
    labels: groups.map((group) => group.label),
    data: groups.map((group) => group.cost_total ?? 0),
    colors: groups.map((group, index) => colorFor(group.key, index)),
    total,
    percents: groups.map((group) => Math.round(((group.cost_total ?? 0) / total) * 1000) / 10),
  };
}

export type Preset = "this-month" | "last-month" | "last-30-days" | "this-year" | "custom";

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function utc(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** The date range of a preset, counted from ``today`` (YYYY-MM-DD in the user's time zone). */
export function presetRange(preset: Exclude<Preset, "custom">, today: string): { from: string; to: string } {
  const now = utc(today);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  switch (preset) {
    case "this-month":
      return { from: iso(new Date(Date.UTC(year, month, 1))), to: today };
    case "last-month":
      return { from: iso(new Date(Date.UTC(year, month - 1, 1))), to: iso(new Date(Date.UTC(year, month, 0))) };
    case "last-30-days":
      return { from: iso(new Date(now.getTime() - 29 * 86_400_000)), to: today };
    case "this-year":
      return { from: `${year}-01-01`, to: today };
  }
}

function bucketStart(day: string, granularity: Timeseries["granularity"]): Date {
  const date = utc(day);
  if (granularity === "week") return new Date(date.getTime() - ((date.getUTCDay() + 6) % 7) * 86_400_000);
  if (granularity === "month") return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  if (granularity === "year") return new Date(Date.UTC(date.getUTCFullYear(), 0, 1));
  return date;
}

/** How many periods a timeseries from ``from`` to ``to`` has (as the API counts them, weeks from Monday). */
export function bucketCount(from: string, to: string, granularity: Timeseries["granularity"]): number {
  const first = bucketStart(from, granularity);
  const last = bucketStart(to, granularity);
  if (granularity === "day") return Math.round((last.getTime() - first.getTime()) / 86_400_000) + 1;
  if (granularity === "week") return Math.floor(Math.round((last.getTime() - first.getTime()) / 86_400_000) / 7) + 1;
  if (granularity === "month") return (last.getUTCFullYear() - first.getUTCFullYear()) * 12 + last.getUTCMonth() - first.getUTCMonth() + 1;
  return last.getUTCFullYear() - first.getUTCFullYear() + 1;
}
