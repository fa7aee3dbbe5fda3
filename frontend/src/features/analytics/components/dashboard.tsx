"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { Card, EmptyState, PageHeader } from "@/components/ui/states";
import { hasRecordsQuery, summaryQuery, timeseriesQuery } from "@/features/analytics/api/analytics";
import { chartGranularity, formatRange, parsePeriod, periodParams, periodRange, type Period } from "@/features/analytics/utils/periods";
import { useHouseholdSettings } from "@/lib/household";
import { todayIn } from "@/lib/dates";
import { isReadingsMeter } from "@/lib/meter-modes";
import { metersQuery } from "@/lib/meters";
import { useSearchState } from "@/lib/url-state";

import { BillingCard } from "./billing-card";
import { ConsumptionCards } from "./consumption-cards";
import { CostBreakdownCard } from "./cost-breakdown-card";
import { CostCard } from "./cost-card";
import { CostShareCard } from "./cost-share-card";
import { FirstRunCard } from "./first-run-card";
import { KpiCards } from "./kpi-cards";
import { PeriodNav } from "./period-nav";

/**
 * The dashboard: every card follows the period held in the URL (`?period=week&date=2026-03-09`).
 * ``budgets`` is the budget progress card, given by the route (features do not import each other).
 */
export function Dashboard({ budgets }: { budgets?: ReactNode } = {}) {
  // Periods and costs are the current household's.
  const { currency, timezone } = useHouseholdSettings();
  const today = todayIn(timezone);
  const [params, setParams] = useSearchState();
  const period = parsePeriod(params, today);
  const setPeriod = (next: Period) => setParams(periodParams(next, today));

  const range = periodRange(period, today);
  const validRange = range.from <= range.to;
  const granularity = chartGranularity(period, range);
  const dates = { date_from: range.from, date_to: range.to };
  const meters = useQuery(metersQuery());
  const anyRecords = useQuery(hasRecordsQuery());
  const summary = useQuery({ ...summaryQuery({ ...dates, group_by: "type", compare: period.compare }), enabled: validRange });
  const byType = useQuery({ ...timeseriesQuery({ ...dates, granularity, group_by: "type" }), enabled: validRange });
  // Each meter in its type's unit (a Wh meter answers kWh), so the meters of a type stack.
  const byMeter = useQuery({ ...timeseriesQuery({ ...dates, granularity, group_by: "meter", unit: "type" }), enabled: validRange });
  // An invalid period shows its error, never the figures of the period before.
  const figures = validRange && !summary.isError ? summary.data : undefined;
  const retry = () => void summary.refetch();

  // A household that only reads registers has readings, not records: its meters' last readings say so.
  const anyReadings = meters.data?.some((meter) => isReadingsMeter(meter) && meter.last_reading) ?? true;
  if (anyRecords.data === false && !anyReadings)
    return (
      <>
        <PageHeader title="Dashboard" />
        <FirstRunCard />
      </>
    );

  return (
    <>
      <PageHeader title="Dashboard" />
      <Card>
        <PeriodNav
          period={period}
          today={today}
          rangeError={validRange ? summary.error?.fieldErrors.date_to : "The end must not be before the start"}
          onChange={setPeriod}
        />
        {validRange && (
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-300" data-testid="period-range">
            {formatRange(range.from, range.to)}
            {figures && ` · compared with ${formatRange(figures.previous_period.from, figures.previous_period.to)}`}
          </p>
        )}
      </Card>

      <section aria-label="Totals for the period" className="mt-4">
        {validRange ? (
          <KpiCards summary={figures} error={summary.error} currency={currency} onRetry={retry} />
        ) : (
          <EmptyState title="Choose a valid period" />
        )}
      </section>

      {validRange && (
        <>
          <div className="mt-4">
            <ConsumptionCards
              byType={byType}
              byMeter={byMeter.data}
              meters={meters.data}
              metersError={meters.error}
              onRetryMeters={() => void meters.refetch()}
            />
          </div>
          <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
            <div className="lg:col-span-2">
              <CostCard byType={byType} currency={currency} />
            </div>
            <CostShareCard summary={figures} error={summary.error} currency={currency} onRetry={retry} />
          </div>
          <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
            {/* The billing period holding the chosen period's last day (today for a current period). */}
            <BillingCard date={range.to < today ? range.to : today} currency={currency} />
            <CostBreakdownCard summary={figures} error={summary.error} currency={currency} onRetry={retry} />
          </div>
          {budgets && <div className="mt-4">{budgets}</div>}
        </>
      )}
    </>
  );
}
