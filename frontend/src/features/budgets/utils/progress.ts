import type { Budget } from "@/features/budgets/api/budgets";
import { formatAmount, formatMoney, formatNumber } from "@/lib/format";
import { TYPE_LABELS, UNITS, type Meter } from "@/lib/meters";

/** A budget's amounts are in its meter's unit, or in its type's canonical unit (PRODUCT.md §12). */
export function budgetUnit(budget: Budget, meters: Meter[] | undefined): string {
  if (budget.unit) return budget.unit;
  if (budget.meter_id !== null) return meters?.find((meter) => meter.id === budget.meter_id)?.unit ?? "";
  if (budget.type && budget.type !== "other") return UNITS[budget.type][0]!;
  return "";
}

/** What the budget limits: "Power" (a meter) or "All electricity meters" (a type). */
export function budgetTarget(budget: Budget, meters: Meter[] | undefined): string {
  if (budget.meter_id !== null) return meters?.find((meter) => meter.id === budget.meter_id)?.name ?? `Meter ${budget.meter_id}`;
  return budget.type ? `All ${TYPE_LABELS[budget.type].toLowerCase()} meters` : "";
}

export function isCostBudget(budget: Budget): boolean {
  return budget.limit_cost !== null && budget.limit_cost !== undefined;
}

/** A figure of the budget: money for a cost limit, else an amount in its unit. */
export function budgetFigure(budget: Budget, value: number, unit: string, currency: string): string {
  return isCostBudget(budget) ? formatMoney(value, currency) : formatAmount(value, unit);
}

export function formatPct(value: number): string {
  return `${formatNumber(value, 0)}%`;
}

/** The bar's scale: 100% of the limit, or more when the use, the forecast or a threshold goes further (up to 500%). */
export function barScale(budget: Budget): number {
  const { pct, forecast_pct } = budget.progress;
  return Math.min(500, Math.max(100, pct, forecast_pct, ...budget.thresholds));
}

/** Where a percentage of the limit sits on the bar, as a CSS percentage of its width. */
export function barPosition(value: number, scale: number): number {
  return Math.round((Math.min(Math.max(value, 0), scale) / scale) * 1000) / 10;
}

export type Tone = "ok" | "warning" | "over";

/** Over the limit is red, past the first threshold below 100% amber, else green. */
export function budgetTone(budget: Budget): Tone {
  const { pct } = budget.progress;
  if (pct >= 100) return "over";
  const first = Math.min(...budget.thresholds.filter((value) => value < 100), 100);
  return pct >= first ? "warning" : "ok";
}
