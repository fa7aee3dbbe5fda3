"use client";

import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";

import { Skeleton } from "@/components/ui/skeleton";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { meterDailyQuery, meterLatestQuery, meterMonthSummaryQuery } from "@/features/tariffs/api/meter-figures";
import { todayIn } from "@/lib/dates";
import { formatAmount, formatDate, formatHeadline, formatMoney, formatPercent, formatUnit } from "@/lib/format";
import { useHouseholdSettings } from "@/lib/household";
import { metersQuery, TYPE_LABELS, type Meter } from "@/lib/meters";

import { TariffsCard } from "./tariffs-card";

// Chart.js loads after the page: it would take the page's first load over the 250 kB budget.
const DailyChart = dynamic(() => import("./daily-chart").then((module) => module.DailyChart), {
  ssr: false,
  loading: () => <Skeleton className="h-56" />,
});

function Figure({ label, children, testId }: { label: string; children: React.ReactNode; testId: string }) {
  return (
    <div className="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <p className="text-sm text-slate-600 dark:text-slate-300">{label}</p>
      <div className="mt-1 text-lg font-semibold tabular-nums" data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

function MeterFigures({ meter, today, currency }: { meter: Meter; today: string; currency: string }) {
  const latest = useQuery(meterLatestQuery(meter.id));
  const month = useQuery(meterMonthSummaryQuery(meter.id, today));
  const daily = useQuery(meterDailyQuery(meter.id, today));
  const last = latest.data?.items[0];
  const group = month.data?.groups.find((item) => item.key === String(meter.id));
  const series = daily.data?.series.find((item) => item.key === String(meter.id));
  const points = (series?.points ?? []).map((point) => ({ day: point.period_start, total: point.count > 0 ? point.total : null }));
  const change = group?.change_pct;

  return (
    <>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <Figure label="Last value" testId="meter-last">
          {last ? (
            <>
              {formatAmount(last.amount, last.unit)}{" "}
              <span className="text-sm font-normal text-slate-600 dark:text-slate-300">on {formatDate(last.date)}</span>
            </>
          ) : latest.data ? (
            "No records yet"
          ) : (
            "…"
          )}
        </Figure>
        <Figure label="This month to date" testId="meter-month">
          {month.data ? `${formatHeadline(group?.total ?? 0, meter.unit)} · ${formatMoney(group?.cost_total ?? 0, currency)}` : "…"}
        </Figure>
        <Figure label="Trend vs the same days of last month" testId="meter-trend">
          {!month.data ? "…" : change === null || change === undefined ? "No comparison" : formatPercent(change)}
        </Figure>
      </div>
      <div className="mt-4">
        {daily.error ? (
          <ErrorState error={daily.error} onRetry={() => void daily.refetch()} />
        ) : !daily.data ? (
          <Spinner label="Loading the daily chart" />
        ) : points.every((point) => point.total === null) ? (
          <EmptyState title="No records this month" />
        ) : (
          <DailyChart points={points} unit={meter.unit} />
        )}
      </div>
    </>
  );
}

/** A meter: what it is, its last value, this month's total and trend, its daily chart and its tariffs. */
export function MeterDetail({ id }: { id: number }) {
  const { currency, timezone } = useHouseholdSettings();
  const today = todayIn(timezone);
  const meters = useQuery(metersQuery());
  const meter = meters.data?.find((item) => item.id === id);

  if (meters.error && !meters.data) return <ErrorState error={meters.error} onRetry={() => void meters.refetch()} />;
  if (!meters.data) return <Spinner label="Loading the meter" />;
  if (!meter)
    return (
      <>
        <PageHeader title="Meter not found" />
        <EmptyState title="This meter is not in the current household">
          <Link href="/meters" className="text-indigo-700 underline dark:text-indigo-300">
            Back to the meters
          </Link>
        </EmptyState>
      </>
    );

  return (
    <>
      <PageHeader title={meter.name} />
      <p className="-mt-2 mb-4 text-sm text-slate-600 dark:text-slate-300" data-testid="meter-kind">
        {TYPE_LABELS[meter.type]} · {formatUnit(meter.unit)}
        {meter.archived && " · archived"} ·{" "}
        <Link href={`/records?meter_id=${meter.id}`} className="text-indigo-700 underline dark:text-indigo-300">
          Records
        </Link>
      </p>
      <Card title="This month">
        <MeterFigures meter={meter} today={today} currency={currency} />
      </Card>
      <div className="mt-4">
        <TariffsCard meterId={meter.id} unit={meter.unit} currency={currency} today={today} />
      </div>
    </>
  );
}
