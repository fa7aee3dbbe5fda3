/** The dashboard's period: a day, week, month or year (or a custom range), its URL form and its charts' buckets. */
import type { Granularity } from "@/features/analytics/api/analytics";

export const PERIOD_KINDS = ["day", "week", "month", "year", "custom"] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
export type Compare = "previous" | "year";

export interface Period {
  kind: PeriodKind;
  /** The first day of the calendar period (day, week from Monday, month, year); the start of a custom range. */
  start: string;
  /** Only for a custom range: its last day. */
  end?: string;
  compare: Compare;
}

const DAY = 86_400_000;
const ISO = /^\d{4}-\d{2}-\d{2}$/;

function utc(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function validDay(value: string | null): value is string {
  if (!value || !ISO.test(value)) return false;
  const date = utc(value);
  return !Number.isNaN(date.getTime()) && iso(date) === value && value >= "1900-01-01" && value <= "2999-12-31";
}

export function addDays(day: string, days: number): string {
  return iso(new Date(utc(day).getTime() + days * DAY));
}

/** The first day of the calendar period of ``kind`` that holds ``day``. */
export function periodStart(kind: Exclude<PeriodKind, "custom">, day: string): string {
  const date = utc(day);
  if (kind === "week") return addDays(day, -((date.getUTCDay() + 6) % 7));
  if (kind === "month") return iso(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)));
  if (kind === "year") return `${day.slice(0, 4)}-01-01`;
  return day;
}

/** The last calendar day of the period of ``kind`` starting at ``start``. */
function periodEnd(kind: Exclude<PeriodKind, "custom">, start: string): string {
  const date = utc(start);
  if (kind === "week") return addDays(start, 6);
  if (kind === "month") return iso(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)));
  if (kind === "year") return `${start.slice(0, 4)}-12-31`;
  return start;
}

/** The dates the figures cover: the calendar period, to ``today`` while it is the current one. */
export function periodRange(period: Period, today: string): { from: string; to: string } {
  if (period.kind === "custom") return { from: period.start, to: period.end ?? today };
  const end = periodEnd(period.kind, period.start);
  return { from: period.start, to: end > today && period.start <= today ? today : end };
}

/** The same kind of period ``steps`` before (negative) or after (positive). */
export function shiftPeriod(period: Period, steps: number): Period {
  if (period.kind === "custom") return period;
  const date = utc(period.start);
  let start: string;
  if (period.kind === "day") start = addDays(period.start, steps);
  else if (period.kind === "week") start = addDays(period.start, 7 * steps);
  else if (period.kind === "month") start = iso(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + steps, 1)));
  else start = `${String(date.getUTCFullYear() + steps).padStart(4, "0")}-01-01`;
  return { ...period, start };
}

/** Whether the period holds ``today`` or is after it (nothing later to step to). */
export function isCurrent(period: Period, today: string): boolean {
  if (period.kind === "custom") return true;
  return periodEnd(period.kind, period.start) >= today;
}

/** The period of ``kind`` holding ``today``. */
export function currentPeriod(kind: Exclude<PeriodKind, "custom">, today: string, compare: Compare = "previous"): Period {
  return { kind, start: periodStart(kind, today), compare };
}

/** Read the period from the URL (`period`, `date`, `from`/`to`, `compare`); anything unreadable falls back to this month. */
export function parsePeriod(params: URLSearchParams, today: string): Period {
  const compare: Compare = params.get("compare") === "year" ? "year" : "previous";
  const kind = params.get("period");
  if (kind === "custom") {
    const from = params.get("from");
    const to = params.get("to");
    return { kind, start: validDay(from) ? from : periodStart("month", today), end: validDay(to) ? to : today, compare };
  }
  const chosen = kind === "day" || kind === "week" || kind === "year" ? kind : "month";
  const date = params.get("date");
  const day = validDay(date) && date <= today ? date : today;
  return { kind: chosen, start: periodStart(chosen, day), compare };
}

/** The URL parameters of a period (this month, compared with the previous period, is the bare URL). */
export function periodParams(period: Period, today: string): URLSearchParams {
  const params = new URLSearchParams();
  if (period.kind === "custom") {
    params.set("period", "custom");
    params.set("from", period.start);
    if (period.end) params.set("to", period.end);
  } else {
    if (period.kind !== "month") params.set("period", period.kind);
    if (period.start !== periodStart(period.kind, today)) params.set("date", period.start);
  }
  if (period.compare === "year") params.set("compare", "year");
  return params;
}

/** The charts' buckets: days within a month, months within a year, coarser for long custom ranges. */
export function chartGranularity(period: Period, range: { from: string; to: string }): Granularity {
  if (period.kind === "year") return "month";
  if (period.kind !== "custom") return "day";
  const days = Math.round((utc(range.to).getTime() - utc(range.from).getTime()) / DAY) + 1;
  if (days <= 92) return "day";
  if (days <= 731) return "week";
  return days <= 3660 * 28 ? "month" : "year";
}

/** Whether the bucket starting at ``start`` is cut by the range (a partial first or last period). */
export function isPartial(start: string, granularity: Granularity, range: { from: string; to: string }): boolean {
  if (granularity === "day") return false;
  const end = periodEnd(granularity, start);
  return start < range.from || end > range.to;
}

const MONTH_LONG = { month: "long", year: "numeric", timeZone: "UTC" } as const;

/** "November 2026", "23 – 29 Nov 2026", "Fri, 27 Nov 2026", "2026" in the reader's locale. */
export function periodTitle(period: Period, today: string, locale?: string): string {
  const range = periodRange(period, today);
  const day = (value: string, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(utc(value));
  if (period.kind === "year") return period.start.slice(0, 4);
  if (period.kind === "month") return new Intl.DateTimeFormat(locale, MONTH_LONG).format(utc(period.start));
  if (period.kind === "day") return day(period.start, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const end = period.kind === "week" ? periodEnd("week", period.start) : range.to;
  return formatRange(period.start, end, locale);
}

/** A date range as the reader's locale writes it ("1 – 27 Nov 2026"). */
export function formatRange(from: string, to: string, locale?: string): string {
  const format = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return from === to ? format.format(utc(from)) : format.formatRange(utc(from), utc(to));
}
