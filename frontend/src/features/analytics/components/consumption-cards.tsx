"use client";

import type { UseQueryResult } from "@tanstack/react-query";

import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import type { Timeseries } from "@/features/analytics/api/analytics";
import { consumptionBars, isEmptyChart } from "@/features/analytics/utils/shaping";
import type { ApiError } from "@/lib/api-client";
import { formatUnit } from "@/lib/format";
import type { Meter } from "@/lib/meters";

import { BarChart } from "./charts";

const BY: Record<Timeseries["granularity"], string> = { day: "day", week: "week", month: "month", year: "year" };

/** One card per type (or per unit of other meters): its consumption per period in its own unit, stacked by meter. */
export function ConsumptionCards({
  byType,
  byMeter,
  meters,
  metersError,
  onRetryMeters,
}: {
  byType: UseQueryResult<Timeseries, ApiError>;
  byMeter: Timeseries | undefined;
  meters: Meter[] | undefined;
  metersError: ApiError | null;
  onRetryMeters(): void;
}) {
  if (metersError) return <ErrorState error={metersError} onRetry={onRetryMeters} />;
  if (byType.isError) return <ErrorState error={byType.error} onRetry={() => void byType.refetch()} />;
  if (!byType.data || !meters) return <Spinner label="Loading charts" />;
  const data = byType.data;
  if (data.series.length === 0) return null;
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      {data.series.map((group) => {
        const chart = consumptionBars(group, data.granularity, data.period, byMeter?.series ?? [], meters);
        const unit = formatUnit(group.unit);
        return (
          <Card key={group.key} title={`${group.label} per ${BY[data.granularity]} (${unit})`}>
            {isEmptyChart(chart) ? (
              <EmptyState title="No records in this period" />
            ) : (
              <>
                <BarChart data={chart} unit={unit} label={`${group.label} consumption per ${BY[data.granularity]} in ${unit}`} />
                {chart.partial.some(Boolean) && (
                  <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">Lighter bars are periods only partly in the range.</p>
                )}
              </>
            )}
          </Card>
        );
      })}
    </div>
  );
}
