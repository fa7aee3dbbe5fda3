"use client";

import { EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import type { Summary } from "@/features/analytics/api/analytics";
import { kpiCards, type Kpi } from "@/features/analytics/utils/shaping";
import type { ApiError } from "@/lib/api-client";
import { formatHeadline, formatMoney, formatPercent } from "@/lib/format";

function KpiCard({ kpi, currency }: { kpi: Kpi; currency: string }) {
  const tone =
    kpi.trend === "up"
      ? "text-red-600 dark:text-red-400"
      : kpi.trend === "down"
        ? "text-emerald-600 dark:text-emerald-400"
        : "text-slate-500 dark:text-slate-400";
  return (
    <article
      data-testid={`kpi-${kpi.key}`}
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900"
    >
      <h3 className="text-sm font-medium text-slate-600 dark:text-slate-300">{kpi.label}</h3>
      <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="kpi-total">
        {formatHeadline(kpi.total, kpi.unit)}
      </p>
      <p className={`text-sm ${tone}`} data-testid="kpi-change">
        {kpi.trend === "new"
          ? "New this period"
          : kpi.trend === "incomplete"
            ? `No comparison: records start after the compared period began (${formatHeadline(kpi.previous, kpi.unit)} then)`
            : kpi.total === 0 && kpi.previous === 0
              ? "Nothing in either period"
              : `${formatPercent(kpi.changePct)} vs ${formatHeadline(kpi.previous, kpi.unit)}`}
      </p>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300" data-testid="kpi-cost">
        Cost: {formatMoney(kpi.cost, currency)} · {kpi.count} record{kpi.count === 1 ? "" : "s"}
      </p>
    </article>
  );
}

/** The period's total per type, beside the previous period. */
export function KpiCards({
  summary,
  error,
  currency,
  onRetry,
}: {
  summary: Summary | undefined;
  error: ApiError | null;
  currency: string;
  onRetry(): void;
}) {
  if (error) return <ErrorState error={error} onRetry={onRetry} />;
  if (!summary) return <Spinner label="Loading totals" />;
  const kpis = kpiCards(summary);
  if (kpis.length === 0) return <EmptyState title="No records in this period">Add records, or choose another period.</EmptyState>;
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
      {kpis.map((kpi) => (
        <KpiCard key={kpi.key} kpi={kpi} currency={currency} />
      ))}
    </div>
  );
}
