"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { SelectField, TextField } from "@/components/ui/field";
import { Card, EmptyState, PageHeader } from "@/components/ui/states";
import { summaryQuery } from "@/features/analytics/api/analytics";
import { presetRange, type Preset } from "@/features/analytics/utils/shaping";
import { useHouseholdSettings } from "@/lib/household";
import { todayIn } from "@/lib/dates";
import { metersQuery } from "@/lib/meters";

import { CostShareCard } from "./cost-share-card";
import { KpiCards } from "./kpi-cards";
import { MeterLineCard } from "./meter-line-card";
import { MonthlyCard } from "./monthly-card";

const PRESETS: { value: Preset; label: string }[] = [
  { value: "this-month", label: "This month" },
  { value: "last-month", label: "Last month" },
  { value: "last-30-days", label: "Last 30 days" },
  { value: "this-year", label: "This year" },
  { value: "custom", label: "Custom range" },
];

export function Dashboard() {
  // Periods and costs are the current household's.
  const { currency, timezone } = useHouseholdSettings();
  const today = todayIn(timezone);
  const [preset, setPreset] = useState<Preset>("this-month");
  const [custom, setCustom] = useState(() => presetRange("this-month", today));

  const range = preset === "custom" ? custom : presetRange(preset, today);
  const validRange = Boolean(range.from && range.to && range.from <= range.to);
  const meters = useQuery(metersQuery());
  const summary = useQuery({ ...summaryQuery({ date_from: range.from, date_to: range.to, group_by: "type" }), enabled: validRange });
  // An invalid period shows its error, never the figures of the period before.
  const figures = validRange && !summary.isError ? summary.data : undefined;
  const retry = () => void summary.refetch();

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
              <TextField
                label="From"
                type="date"
                value={custom.from}
                max={custom.to}
                onChange={(event) => setCustom((value) => ({ ...value, from: event.target.value }))}
              />
              <TextField
                label="To"
                type="date"
                value={custom.to}
                min={custom.from}
                error={validRange ? summary.error?.fieldErrors.date_to : "The end must not be before the start"}
                onChange={(event) => setCustom((value) => ({ ...value, to: event.target.value }))}
              />
            </>
          ) : (
            <p className="self-end pb-2 text-sm text-slate-600 sm:col-span-2 dark:text-slate-300" data-testid="period-range">
              {range.from} – {range.to}
              {figures && ` · compared with ${figures.previous_period.from} – ${figures.previous_period.to}`}
            </p>
          )}
        </form>
      </Card>

      <section aria-label="Totals for the period" className="mt-4">
        {validRange ? (
          <KpiCards summary={figures} error={summary.error} currency={currency} onRetry={retry} />
        ) : (
          <EmptyState title="Choose a valid period" />
        )}
      </section>

      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <MonthlyCard currency={currency} />
        </div>
        {validRange ? (
          <CostShareCard summary={figures} error={summary.error} currency={currency} onRetry={retry} />
        ) : (
          <Card title="Cost share">
            <EmptyState title="Choose a valid period" />
          </Card>
        )}
      </div>

      <div className="mt-4">
        <MeterLineCard
          meters={meters.data}
          metersError={meters.error}
          onRetryMeters={() => void meters.refetch()}
          range={validRange ? range : null}
        />
      </div>
    </>
  );
}
