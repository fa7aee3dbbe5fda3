import type { Budget } from "@/features/budgets/api/budgets";
import { barPosition, barScale, budgetFigure, budgetTone, formatPct } from "@/features/budgets/utils/progress";
import { formatDate } from "@/lib/format";

const FILL = {
  ok: "bg-emerald-600 dark:bg-emerald-500",
  warning: "bg-amber-500 dark:bg-amber-400",
  over: "bg-red-600 dark:bg-red-500",
} as const;

/**
 * Used against the limit as a bar, the forecast for the whole period as a marker, the thresholds
 * as ticks. The bar is drawn for the eye only: the same figures are written out beside it.
 */
export function BudgetProgressBar({
  budget,
  unit,
  currency,
  compact = false,
}: {
  budget: Budget;
  unit: string;
  currency: string;
  compact?: boolean;
}) {
  const { progress } = budget;
  const scale = barScale(budget);
  const tone = budgetTone(budget);
  const figure = (value: number) => budgetFigure(budget, value, unit, currency);
  const used = `${figure(progress.used)} of ${figure(progress.limit)} (${formatPct(progress.pct)})`;
  const forecast = `${figure(progress.forecast)} (${formatPct(progress.forecast_pct)})`;
  return (
    <div data-testid={`budget-progress-${budget.id}`} data-tone={tone}>
      <div className="relative mt-1 mb-1 h-3 rounded-full bg-slate-200 dark:bg-slate-700" aria-hidden>
        <div
          data-testid="budget-used-bar"
          className={`h-3 rounded-full ${FILL[tone]}`}
          style={{ width: `${barPosition(progress.pct, scale)}%` }}
        />
        {/* 100% of the limit, when the scale goes beyond it. */}
        {scale > 100 && (
          <span className="absolute -top-1 h-5 w-0.5 bg-slate-900 dark:bg-slate-100" style={{ left: `${barPosition(100, scale)}%` }} />
        )}
        {budget.thresholds.map((threshold) => (
          <span
            key={threshold}
            data-testid="threshold-tick"
            data-threshold={threshold}
            className="absolute top-0 h-3 w-px bg-slate-500 dark:bg-slate-300"
            style={{ left: `${barPosition(threshold, scale)}%` }}
          />
        ))}
        <span
          data-testid="forecast-marker"
          title="Forecast"
          className="absolute -top-1.5 h-6 w-1 -translate-x-1/2 rounded bg-indigo-700 ring-2 ring-white dark:bg-indigo-300 dark:ring-slate-900"
          style={{ left: `${barPosition(progress.forecast_pct, scale)}%` }}
        />
      </div>
      <p className="text-sm text-slate-700 dark:text-slate-200" data-testid="budget-used">
        Used {used}
      </p>
      <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="budget-forecast">
        Forecast for the period {forecast}
      </p>
      {!compact && (
        <p className="text-xs text-slate-600 dark:text-slate-300" data-testid="budget-period">
          {formatDate(progress.period.from)} – {formatDate(progress.period.to)} · alerts at{" "}
          {budget.thresholds.map((threshold) => `${threshold}%`).join(", ")}
        </p>
      )}
    </div>
  );
}
