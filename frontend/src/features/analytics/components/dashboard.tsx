"use client";

import { useMemo, useState } from "react";

import { SelectField, TextField } from "@/components/ui/field";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { getSummary, getTimeseries, type Granularity } from "@/features/analytics/api/analytics";
import { costShare, kpiCards, meterLine, presetRange, stackedBars, todayIn, type BarMetric, type Kpi, type Preset } from "@/features/analytics/api/shaping";
import { listMeters } from "@/features/meters/api/meters";
import { useQuery } from "@/hooks/use-query";
import { useAuth } from "@/lib/auth";
import { formatAmount, formatMoney, formatPercent } from "@/lib/format";
import { useLiveEvents } from "@/lib/live";

import { LineChart, ShareDoughnut, StackedBarChart } from "./charts";

const PRESETS: { value: Preset; label: string }[] = [
  { value: "this-month", label: "This month" },
  { value: "last-month", label: "Last month" },
  { value: "last-30-days", label: "Last 30 days" },
  { value: "this-year", label: "This year" },
  { value: "custom", label: "Custom range" },
];

function KpiCard({ kpi, currency }: { kpi: Kpi; currency: string }) {
  const tone = kpi.trend === "up" ? "text-red-600 dark:text-red-400" : kpi.trend === "down" ? "text-emerald-600 dark:text-emerald-400" : "text-slate-500 dark:text-slate-400";
  return (
    <article data-testid={`kpi-${kpi.key}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900">
      <h3 className="text-sm font-medium text-slate-600 dark:text-slate-300">{kpi.label}</h3>
      <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="kpi-total">
        {formatAmount(kpi.total, kpi.unit)}
      </p>
      <p className={`text-sm ${tone}`} data-testid="kpi-change">
        {kpi.trend === "new"
          ? "New this period"
          : kpi.total === 0 && kpi.previous === 0
            ? "Nothing in either period"
            : `${formatPercent(kpi.changePct)} vs previous (${formatAmount(kpi.previous, kpi.unit)})`}
      </p>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300" data-testid="kpi-cost">
        Cost: {formatMoney(kpi.cost, currency)} · {kpi.count} record{kpi.count === 1 ? "" : "s"}
      </p>
    </article>
  );
}

export function Dashboard() {
  const { user } = useAuth();
  const currency = user?.preferences.currency ?? "USD";
  const today = todayIn(user?.preferences.timezone ?? "UTC");
  const [preset, setPreset] = useState<Preset>("this-month");
  const [custom, setCustom] = useState(() => presetRange("this-month", today));
  const [metric, setMetric] = useState<BarMetric>("cost");
  const [meterId, setMeterId] = useState<number | null>(null);
  const [granularity, setGranularity] = useState<Granularity>("day");

  const range = preset === "custom" ? custom : presetRange(preset, today);
  const validRange = range.from <= range.to;
  const meters = useQuery("meters", listMeters);
  const chosenMeter = meterId ?? meters.data?.find((meter) => !meter.archived)?.id ?? null;

  const summary = useQuery(validRange ? `summary:${range.from}:${range.to}` : null, () => getSummary({ date_from: range.from, date_to: range.to, group_by: "type" }));
  const monthly = useQuery("monthly", () => getTimeseries({ granularity: "month", group_by: "type" }));
  const line = useQuery(validRange && chosenMeter ? `line:${chosenMeter}:${granularity}:${range.from}:${range.to}` : null, () =>
    getTimeseries({ granularity, group_by: "meter", meter_id: chosenMeter ?? undefined, date_from: range.from, date_to: range.to }),
  );

  useLiveEvents((event) => {
    if (event.type === "meter.changed") meters.reload();
    summary.reload();
    monthly.reload();
    line.reload();
  });

  const kpis = useMemo(() => (summary.data ? kpiCards(summary.data) : []), [summary.data]);
  const share = useMemo(() => (summary.data ? costShare(summary.data) : null), [summary.data]);
  const bars = useMemo(() => (monthly.data ? stackedBars(monthly.data, metric) : null), [monthly.data, metric]);
  const lineData = useMemo(() => (line.data ? meterLine(line.data) : null), [line.data]);

  return (
    <>
      <PageHeader title="Dashboard" />
      <Card>
        <form aria-label="Period" className="grid grid-cols-1 gap-3 sm:grid-cols-3" onSubmit={(event) => event.preventDefault()}>
          <SelectField label="Period" value={preset} onChange={(event) => setPreset(event.target.value as Preset)}>
            {PRESETS.map((item) => (
              <option key={item.value} value={item.value}>
                {item.label}
              </option>
            ))}
          </SelectField>
          {preset === "custom" ? (
            <>
              <TextField label="From" type="date" value={custom.from} max={custom.to} onChange={(event) => setCustom((value) => ({ ...value, from: event.target.value }))} />
              <TextField
                label="To"
                type="date"
                value={custom.to}
                min={custom.from}
                error={validRange ? undefined : "The end must not be before the start"}
                onChange={(event) => setCustom((value) => ({ ...value, to: event.target.value }))}
              />
            </>
          ) : (
            <p className="self-end pb-2 text-sm text-slate-600 sm:col-span-2 dark:text-slate-300" data-testid="period-range">
              {range.from} – {range.to}
              {summary.data && ` · compared with ${summary.data.previous_period.from} – ${summary.data.previous_period.to}`}
            </p>
          )}
        </form>
      </Card>

      <section aria-label="Totals for the period" className="mt-4">
        {summary.error && !summary.data ? (
          <ErrorState error={summary.error} onRetry={summary.reload} />
        ) : !summary.data ? (
          <Spinner label="Loading totals" />
        ) : kpis.length === 0 ? (
          <EmptyState title="No records in this period">Add records, or choose another period.</EmptyState>
        ) : (
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
            {kpis.map((kpi) => (
              <KpiCard key={kpi.key} kpi={kpi} currency={currency} />
            ))}
          </div>
        )}
      </section>

      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Card
            title="Last 12 months by type"
            actions={
              <label className="flex items-center gap-2 text-sm">
                <span>Show</span>
                <select className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800" value={metric} onChange={(event) => setMetric(event.target.value as BarMetric)}>
                  <option value="cost">Cost ({currency})</option>
                  <option value="count">Number of records</option>
                </select>
              </label>
            }
          >
            {monthly.error && !monthly.data ? (
              <ErrorState error={monthly.error} onRetry={monthly.reload} />
            ) : !bars ? (
              <Spinner label="Loading chart" />
            ) : bars.datasets.every((dataset) => dataset.data.every((value) => value === 0)) ? (
              <EmptyState title={metric === "cost" ? "No costs recorded in the last 12 months" : "No records in the last 12 months"} />
            ) : (
              <StackedBarChart data={bars} label={`Monthly ${metric === "cost" ? "cost" : "number of records"} by type over the last 12 months`} />
            )}
          </Card>
        </div>
        <Card title="Cost share">
          {summary.error && !summary.data ? (
            <ErrorState error={summary.error} onRetry={summary.reload} />
          ) : !summary.data ? (
            <Spinner label="Loading chart" />
          ) : !share ? (
            <EmptyState title="No costs in this period" />
          ) : (
            <>
              <ShareDoughnut share={share} label="Share of the period's cost by type" />
              <ul className="mt-2 space-y-1 text-sm" data-testid="cost-share">
                {share.labels.map((label, index) => (
                  <li key={label} className="flex justify-between">
                    <span>{label}</span>
                    <span className="tabular-nums">
                      {formatMoney(share.data[index], currency)} ({share.percents[index]}%)
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Card>
      </div>

      <div className="mt-4">
        <Card
          title="Consumption of one meter"
          actions={
            <div className="flex flex-wrap gap-2">
              <label className="flex items-center gap-2 text-sm">
                <span>Meter</span>
                <select
                  className="min-w-0 max-w-full rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800"
                  value={chosenMeter ?? ""}
                  onChange={(event) => setMeterId(Number(event.target.value))}
                >
                  {meters.data?.map((meter) => (
                    <option key={meter.id} value={meter.id}>
                      {meter.name}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-2 text-sm">
                <span>By</span>
                <select className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800" value={granularity} onChange={(event) => setGranularity(event.target.value as Granularity)}>
                  <option value="day">Day</option>
                  <option value="week">Week</option>
                </select>
              </label>
            </div>
          }
        >
          {meters.data && meters.data.length === 0 ? (
            <EmptyState title="No meters yet" />
          ) : line.error && !line.data ? (
            <ErrorState error={line.error} onRetry={line.reload} />
          ) : !lineData ? (
            <Spinner label="Loading chart" />
          ) : lineData.datasets.length === 0 ? (
            <EmptyState title="No data for this meter" />
          ) : (
            <LineChart data={lineData} label={`${granularity === "day" ? "Daily" : "Weekly"} consumption of the chosen meter`} />
          )}
        </Card>
      </div>
    </>
  );
}
