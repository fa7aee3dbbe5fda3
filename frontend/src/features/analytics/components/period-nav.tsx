"use client";

import { Button } from "@/components/ui/button";
import { SelectField, TextField } from "@/components/ui/field";
import {
  currentPeriod,
  isCurrent,
  periodTitle,
  shiftPeriod,
  type Compare,
  type Period,
  type PeriodKind,
} from "@/features/analytics/utils/periods";

const TABS: { kind: PeriodKind; label: string }[] = [
  { kind: "day", label: "Day" },
  { kind: "week", label: "Week" },
  { kind: "month", label: "Month" },
  { kind: "year", label: "Year" },
  { kind: "custom", label: "Custom" },
];

const STEP_NAMES: Record<Exclude<PeriodKind, "custom">, string> = { day: "day", week: "week", month: "month", year: "year" };

/** Day / Week / Month / Year (or a custom range), previous and next, Today, and what the figures are compared with. */
export function PeriodNav({
  period,
  today,
  rangeError,
  onChange,
}: {
  period: Period;
  today: string;
  rangeError?: string;
  onChange(period: Period): void;
}) {
  const choose = (kind: PeriodKind) => {
    if (kind === period.kind) return;
    if (kind === "custom")
      onChange({ kind, start: period.start, end: period.kind === "custom" ? period.end : today, compare: period.compare });
    // Switching keeps the day in view: the month of the chosen day, the year of the chosen month…
    else onChange({ ...currentPeriod(kind, period.start <= today ? period.start : today, period.compare) });
  };
  const step = period.kind === "custom" ? null : STEP_NAMES[period.kind];
  const atToday = period.kind !== "custom" && isCurrent(period, today);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <div role="group" aria-label="Period length" className="inline-flex rounded-md border border-slate-300 p-0.5 dark:border-slate-600">
          {TABS.map((tab) => (
            <button
              key={tab.kind}
              type="button"
              aria-pressed={period.kind === tab.kind}
              onClick={() => choose(tab.kind)}
              className={`min-h-11 rounded px-3 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 sm:min-h-9 ${
                period.kind === tab.kind
                  ? "bg-indigo-600 text-white"
                  : "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
              }`}
            >
              {tab.label}
            </button>
          ))}
        </div>
        {step && (
          <div className="flex items-center gap-1">
            <Button
              variant="secondary"
              className="min-w-11 sm:min-w-9"
              aria-label={`Previous ${step}`}
              onClick={() => onChange(shiftPeriod(period, -1))}
            >
              <span aria-hidden>‹</span>
            </Button>
            <Button
              variant="secondary"
              className="min-w-11 sm:min-w-9"
              aria-label={`Next ${step}`}
              disabled={atToday}
              onClick={() => onChange(shiftPeriod(period, 1))}
            >
              <span aria-hidden>›</span>
            </Button>
            <Button
              variant="secondary"

              disabled={atToday}
              onClick={() => onChange(currentPeriod(period.kind as Exclude<PeriodKind, "custom">, today, period.compare))}
            >
              Today
            </Button>
          </div>
        )}
        <h2 className="text-lg font-semibold text-slate-900 dark:text-slate-50" aria-live="polite" data-testid="period-title">
          {period.kind === "custom" ? "Custom range" : periodTitle(period, today)}
        </h2>
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        {period.kind === "custom" && (
          <>
            <TextField
              label="From"
              type="date"
              value={period.start}
              max={period.end}
              onChange={(event) => event.target.value && onChange({ ...period, start: event.target.value })}
            />
            <TextField
              label="To"
              type="date"
              value={period.end ?? today}
              min={period.start}
              error={rangeError}
              onChange={(event) => event.target.value && onChange({ ...period, end: event.target.value })}
            />
          </>
        )}
        <SelectField
          label="Compare with"
          value={period.compare}
          onChange={(event) => onChange({ ...period, compare: event.target.value as Compare })}
        >
          <option value="previous">The previous period</option>
          <option value="year">The same dates a year earlier</option>
        </SelectField>
      </div>
    </div>
  );
}
