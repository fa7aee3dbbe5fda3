/** Pure functions that turn the analytics answers into what the cards and charts draw. */
import type { Series, Summary, Timeseries } from "@/features/analytics/api/analytics";
import { isPartial } from "@/features/analytics/utils/periods";
import type { Meter } from "@/lib/meters";

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
  /** "new": nothing before; "incomplete": the previous period starts before the first data (no comparison). */
  trend: "up" | "down" | "flat" | "new" | "incomplete";
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
          ? group.previous_total !== 0
            ? "incomplete"
            : group.total > 0
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

/** "Mar 2026" (month), "Mar 2" (day/week), "2026" (year), in the reader's locale. */
export function periodLabel(periodStart: string, granularity: Timeseries["granularity"], locale?: string): string {
  if (granularity === "year") return periodStart.slice(0, 4);
  const options: Intl.DateTimeFormatOptions =
    granularity === "month" ? { month: "short", year: "numeric", timeZone: "UTC" } : { month: "short", day: "numeric", timeZone: "UTC" };
  return new Intl.DateTimeFormat(locale, options).format(new Date(`${periodStart}T00:00:00Z`));
}

export interface BarDataset {
  label: string;
  /** null: no record in that period, drawn as a gap rather than a zero. */
  data: (number | null)[];
  backgroundColor: string[];
  borderColor: string;
  unit: string;
}

export interface ChartData {
  labels: string[];
  /** Per bar: the period is cut by the window (a partial first or last week, month or year). */
  partial: boolean[];
  datasets: BarDataset[];
}

const METER_SHADES = ["#4f46e5", "#0d9488", "#d97706", "#db2777", "#65a30d", "#7c3aed", "#0284c7", "#dc2626"];

/** A colour with its partial periods lighter. */
function shaded(color: string, partial: boolean[]): string[] {
  return partial.map((cut) => (cut ? `${color}66` : color));
}

function starts(timeseries: Timeseries): string[] {
  return [...new Set(timeseries.series.flatMap((series) => series.points.map((point) => point.period_start)))].sort();
}

function partials(periodStarts: string[], timeseries: Timeseries): boolean[] {
  return periodStarts.map((start) => isPartial(start, timeseries.granularity, timeseries.period));
}

/** The cost of each period, stacked by type; periods without records are gaps. */
export function costBars(timeseries: Timeseries, locale?: string): ChartData {
  const periodStarts = starts(timeseries);
  const partial = partials(periodStarts, timeseries);
  const series = [...timeseries.series].sort((a, b) => typeRank(a.key) - typeRank(b.key));
  return {
    labels: periodStarts.map((start) => periodLabel(start, timeseries.granularity, locale)),
    partial,
    datasets: series.map((item, index) => {
      const byStart = new Map(item.points.map((point) => [point.period_start, point]));
      const color = colorFor(item.key, index);
      return {
        label: item.label,
        unit: item.unit,
        backgroundColor: shaded(color, partial),
        borderColor: color,
        data: periodStarts.map((start) => {
          const point = byStart.get(start);
          return point && hasData(point) ? (point.cost ?? 0) : null;
        }),
      };
    }),
  };
}

/**
 * Whether a period has data (a bar, not a gap): records in it, or consumption derived from
 * readings either side of it (a day between two readings counts no reading but has its share).
 */
function hasData(point: { count: number; total: number }): boolean {
  return point.count > 0 || point.total !== 0;
}

/** The meters of a group: a type's meters, or the other meters in one unit (`other:<unit>`). */
function metersOf(key: string, meters: Meter[]): Meter[] {
  const [type, unit] = key.split(":");
  return meters.filter((meter) => meter.type === type && (unit === undefined || meter.unit === unit));
}

/**
 * One group's consumption per period in its unit: stacked by meter when every meter's series is in
 * the group's unit. The dashboard asks for the meters with `unit=type` (a Wh meter answers kWh),
 * so a kWh meter beside a Wh one stacks; a series in another unit falls back to the group's total.
 */
export function consumptionBars(
  group: Series,
  granularity: Timeseries["granularity"],
  window: { from: string; to: string },
  byMeter: Series[],
  meters: Meter[],
  locale?: string,
): ChartData {
  const periodStarts = group.points.map((point) => point.period_start);
  const partial = periodStarts.map((start) => isPartial(start, granularity, window));
  const ids = new Set(metersOf(group.key, meters).map((meter) => String(meter.id)));
  const parts = byMeter.filter((series) => ids.has(series.key) && series.points.some(hasData));
  const stack = parts.length > 1 && parts.every((series) => series.unit === group.unit) ? parts : [group];
  return {
    labels: periodStarts.map((start) => periodLabel(start, granularity, locale)),
    partial,
    datasets: stack.map((series, index) => {
      const byStart = new Map(series.points.map((point) => [point.period_start, point]));
      const color = stack.length > 1 ? METER_SHADES[index % METER_SHADES.length]! : colorFor(group.key, 0);
      return {
        label: series.label,
        unit: group.unit,
        backgroundColor: shaded(color, partial),
        borderColor: color,
        data: periodStarts.map((start) => {
          const point = byStart.get(start);
          return point && hasData(point) ? point.total : null;
        }),
      };
    }),
  };
}

/** Whether a chart has nothing to draw (no period with a record): an empty state, not an axis from 0 to 1. */
export function isEmptyChart(chart: ChartData): boolean {
  return chart.datasets.every((dataset) => dataset.data.every((value) => value === null));
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

function utc(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
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
