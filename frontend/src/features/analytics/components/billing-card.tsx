"use client";

import { useQuery } from "@tanstack/react-query";

import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import { billingQuery, type BillingGroup } from "@/features/analytics/api/billing";
import { formatRange } from "@/features/analytics/utils/periods";
import { formatHeadline, formatMoney } from "@/lib/format";

function Row({
  label,
  total,
  cost,
  unit,
  currency,
  testId,
}: {
  label: string;
  total: number;
  cost: number;
  unit: string;
  currency: string;
  testId: string;
}) {
  return (
    <div className="flex items-baseline justify-between gap-2 py-1" data-testid={testId}>
      <dt className="text-slate-600 dark:text-slate-300">{label}</dt>
      <dd className="text-right tabular-nums">
        <span className="font-medium">{formatMoney(cost, currency)}</span>{" "}
        <span className="text-slate-500 dark:text-slate-400">{formatHeadline(total, unit)}</span>
      </dd>
    </div>
  );
}

function Group({ group, daysLeft, currency }: { group: BillingGroup; daysLeft: number; currency: string }) {
  return (
    <article data-testid={`billing-${group.key}`} className="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <h3 className="text-sm font-medium">{group.label}</h3>
      <dl className="mt-1 divide-y divide-slate-100 text-sm dark:divide-slate-800">
        <Row
          label="To date"
          total={group.to_date_total}
          cost={group.to_date_cost}
          unit={group.unit}
          currency={currency}
          testId="billing-to-date"
        />
        <Row
          label={daysLeft > 0 ? `Forecast (${daysLeft} day${daysLeft === 1 ? "" : "s"} left)` : "Period total"}
          total={group.forecast_total}
          cost={group.forecast_cost}
          unit={group.unit}
          currency={currency}
          testId="billing-forecast"
        />
        <Row
          label="Previous period"
          total={group.previous_total}
          cost={group.previous_cost}
          unit={group.unit}
          currency={currency}
          testId="billing-previous"
        />
        <Row
          label="Same period last year"
          total={group.last_year_total}
          cost={group.last_year_cost}
          unit={group.unit}
          currency={currency}
          testId="billing-last-year"
        />
      </dl>
    </article>
  );
}

/** The billing period holding ``date``: to date, the forecast with the days left, the previous period and last year. */
export function BillingCard({ date, currency }: { date: string; currency: string }) {
  const billing = useQuery(billingQuery({ date }));
  const data = billing.data;
  const daysLeft = data ? Math.max(0, data.days_total - data.days_elapsed) : 0;
  return (
    <Card title="Billing period">
      {billing.error ? (
        <ErrorState error={billing.error} onRetry={() => void billing.refetch()} />
      ) : !data ? (
        <Spinner label="Loading the billing period" />
      ) : (
        <>
          <p className="mb-3 text-sm text-slate-600 dark:text-slate-300" data-testid="billing-period">
            {formatRange(data.period.from, data.period.to)} · day {Math.min(data.days_elapsed, data.days_total)} of {data.days_total}
          </p>
          {data.groups.length === 0 ? (
            <EmptyState title="Nothing in this billing period" />
          ) : (
            <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
              {data.groups.map((group) => (
                <Group key={group.key} group={group} daysLeft={daysLeft} currency={currency} />
              ))}
            </div>
          )}
        </>
      )}
    </Card>
  );
}
