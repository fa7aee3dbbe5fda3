"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import { MAX_POINTS, timeseriesQuery, type Granularity } from "@/features/analytics/api/analytics";
import { bucketCount, meterLine } from "@/features/analytics/utils/shaping";
import type { ApiError } from "@/lib/api-client";
import type { Meter } from "@/lib/meters";

import { LineChart } from "./charts";

const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800";

/** The meter shown first: an active one, else (every meter archived) the first archived one. */
export function defaultMeter(meters: Meter[] | undefined): number | null {
  return meters?.find((meter) => !meter.archived)?.id ?? meters?.[0]?.id ?? null;
}

/**
 * One meter's consumption by day or week over the period. ``range`` is null while the period
 * is invalid: then nothing is fetched and nothing old is shown.
 */
export function MeterLineCard({
  meters,
  metersError,
  onRetryMeters,
  range,
}: {
  meters: Meter[] | undefined;
  metersError: ApiError | null;
  onRetryMeters(): void;
  range: { from: string; to: string } | null;
}) {
  const [meterId, setMeterId] = useState<number | null>(null);
  const [granularity, setGranularity] = useState<Granularity>("day");
  const chosen = meterId !== null && meters?.some((meter) => meter.id === meterId) ? meterId : defaultMeter(meters);
  const periods = range ? bucketCount(range.from, range.to, granularity) : 0;
  const tooMany =
    periods > MAX_POINTS
      ? `${periods} ${granularity}s is too many to draw (at most ${MAX_POINTS}): choose a shorter period${granularity === "day" ? " or By week" : ""}`
      : undefined;
  const enabled = range !== null && chosen !== null && !tooMany;
  const line = useQuery({
    ...timeseriesQuery({ granularity, group_by: "meter", meter_id: chosen ?? undefined, date_from: range?.from, date_to: range?.to }),
    enabled,
  });
  const granularityError = tooMany ?? line.error?.fieldErrors.granularity;
  const errorId = "meter-line-granularity-error";

  return (
    <Card
      title="Consumption of one meter"
      actions={
        <div className="flex flex-wrap gap-2">
          <label className="flex items-center gap-2 text-sm">
            <span>Meter</span>
            <select
              className={`min-w-0 max-w-full ${selectClass}`}
              value={chosen ?? ""}
              onChange={(event) => setMeterId(Number(event.target.value))}
            >
              {meters?.map((meter) => (
                <option key={meter.id} value={meter.id}>
                  {meter.name}
                  {meter.archived ? " (archived)" : ""}
                </option>
              ))}
            </select>
          </label>
          <label className="flex items-center gap-2 text-sm">
            <span>By</span>
            <select
              className={selectClass}
              value={granularity}
              aria-invalid={granularityError ? true : undefined}
              aria-describedby={granularityError ? errorId : undefined}
              onChange={(event) => setGranularity(event.target.value as Granularity)}
            >
              <option value="day">Day</option>
              <option value="week">Week</option>
            </select>
          </label>
        </div>
      }
    >
      {metersError ? (
        <ErrorState error={metersError} onRetry={onRetryMeters} />
      ) : granularityError ? (
        <p id={errorId} role="alert" className="py-6 text-center text-sm text-red-600 dark:text-red-400">
          {granularityError}
        </p>
      ) : !meters ? (
        <Spinner label="Loading chart" />
      ) : chosen === null ? (
        <EmptyState title="No meters yet" />
      ) : range === null ? (
        <EmptyState title="Choose a valid period" />
      ) : line.isError ? (
        <ErrorState error={line.error} onRetry={() => void line.refetch()} />
      ) : !line.data ? (
        <Spinner label="Loading chart" />
      ) : line.data.series.length === 0 ? (
        <EmptyState title="No data for this meter" />
      ) : (
        <LineChart data={meterLine(line.data)} label={`${granularity === "day" ? "Daily" : "Weekly"} consumption of the chosen meter`} />
      )}
    </Card>
  );
}
