"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import { sharedHouseholdQuery, sharedSummaryQuery, sharedTimeseriesQuery } from "@/features/households/api/shared";
import { todayIn } from "@/lib/dates";
import { formatAmount, formatMoney, formatPercent } from "@/lib/format";
import { TYPE_LABELS, type MeterType } from "@/lib/meters";

type Period = "this-month" | "last-12-months" | "this-year";
const PERIODS: { value: Period; label: string }[] = [
  { value: "this-month", label: "This month" },
  { value: "last-12-months", label: "Last 12 months" },
  { value: "this-year", label: "This year" },
];

/** The first day of a period ending today (YYYY-MM-DD), in the household's calendar. */
export function periodStart(period: Period, today: string): string {
  const [year, month] = today.split("-").map(Number) as [number, number];
  if (period === "this-month") return `${today.slice(0, 7)}-01`;
  if (period === "this-year") return `${year}-01-01`;
  const start = new Date(Date.UTC(year, month - 1 - 11, 1));
  return start.toISOString().slice(0, 10);
}

// Someone watching a shared dashboard has no live connection: refetch now and then instead.
const REFRESH_MS = 60_000;

/** `/shared/[token]`: a household's figures for anyone holding the link, read-only and aggregates only. */
export function SharedDashboard({ token }: { token: string }) {
  const shared = useQuery(sharedHouseholdQuery(token));
  const [period, setPeriod] = useState<Period>("this-month");
  const timezone = shared.data?.household.timezone ?? "UTC";
  const today = todayIn(timezone);
  const range = { date_from: periodStart(period, today), date_to: today };
  const summary = useQuery({
    ...sharedSummaryQuery(token, { ...range, group_by: "type" }),
    enabled: !!shared.data,
    refetchInterval: REFRESH_MS,
  });
  const monthly = useQuery({
    ...sharedTimeseriesQuery(token, {
      date_from: periodStart("last-12-months", today),
      date_to: today,
      granularity: "month",
      group_by: "type",
    }),
    enabled: !!shared.data,
    refetchInterval: REFRESH_MS,
  });

  if (shared.error && !shared.data) {
    return shared.error.status === 404 ? (
      <EmptyState title="This link does not work">It may have been revoked or have expired. Ask for a new one.</EmptyState>
    ) : (
      <ErrorState error={shared.error} onRetry={() => void shared.refetch()} />
    );
  }
  if (!shared.data) return <Spinner label="Loading the shared dashboard" />;
  const { household, meters } = shared.data;

  return (
    <div className="space-y-4" data-testid="shared-dashboard">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">{household.name}</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">
            Shared read-only · {household.timezone} · {meters.length} {meters.length === 1 ? "meter" : "meters"}
          </p>
        </div>
        <label className="text-sm">
          <span className="mr-2">Period</span>
          <select
            value={period}
            onChange={(event) => setPeriod(event.target.value as Period)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-600 dark:bg-slate-800"
          >
            {PERIODS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      </div>

      {summary.error ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
      ) : !summary.data ? (
        <Spinner label="Loading totals" />
      ) : summary.data.groups.length === 0 ? (
        <EmptyState title="No consumption in this period" />
      ) : (
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {summary.data.groups.map((group) => (
            <article
              key={group.key}
              data-testid={`shared-kpi-${group.key}`}
              className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900"
            >
              <h2 className="text-sm font-medium text-slate-600 dark:text-slate-300">{group.label}</h2>
              <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="shared-kpi-total">
                {formatAmount(group.total, group.unit)}
              </p>
              <p className="text-sm text-slate-500 dark:text-slate-400">
                {group.change_pct === null ? "No comparison" : `${formatPercent(group.change_pct)} vs previous`}
              </p>
              <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">Cost: {formatMoney(group.cost_total, household.currency)}</p>
            </article>
          ))}
        </div>
      )}

      <Card title="By month">
        {monthly.error ? (
          <ErrorState error={monthly.error} onRetry={() => void monthly.refetch()} />
        ) : !monthly.data ? (
          <Spinner label="Loading the months" />
        ) : monthly.data.series.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">Nothing recorded in the last 12 months.</p>
        ) : (
          <div className="-mx-4 overflow-x-auto px-4" tabIndex={0} role="region" aria-label="Monthly figures, scrolls sideways">
            <table className="w-full min-w-[28rem] text-left text-sm">
              <caption className="sr-only">Consumption by month and type</caption>
              <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-700 dark:text-slate-300">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Month
                  </th>
                  {monthly.data.series.map((series) => (
                    <th key={series.key} scope="col" className="px-3 py-2 font-medium">
                      {series.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {(monthly.data.series[0]?.points ?? []).map((point, index) => (
                  <tr key={point.period_start} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                    <td className="px-3 py-2 whitespace-nowrap">{point.period_start.slice(0, 7)}</td>
                    {monthly.data.series.map((series) => (
                      <td key={series.key} className="px-3 py-2 whitespace-nowrap tabular-nums">
                        {formatAmount(series.points[index]?.total ?? 0, series.unit)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Card title="Meters">
        <ul className="grid gap-1 text-sm sm:grid-cols-2">
          {meters.map((meter) => (
            <li key={meter.id}>
              {meter.name}{" "}
              <span className="text-slate-500 dark:text-slate-400">· {TYPE_LABELS[meter.type as MeterType] ?? meter.type}</span>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
