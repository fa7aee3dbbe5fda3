"use client";

import type { UseQueryResult } from "@tanstack/react-query";

import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import type { Timeseries } from "@/features/analytics/api/analytics";
import { costBars, isEmptyChart } from "@/features/analytics/utils/shaping";
import type { ApiError } from "@/lib/api-client";

import { BarChart } from "./charts";

/** The period's cost per day, week or month, stacked by type: the one measure that adds up across units. */
export function CostCard({ byType, currency }: { byType: UseQueryResult<Timeseries, ApiError>; currency: string }) {
  const chart = byType.data ? costBars(byType.data) : null;
  const by = byType.data?.granularity ?? "day";
  return (
    <Card title={`Cost per ${by} (${currency})`}>
      {byType.isError ? (
        <ErrorState error={byType.error} onRetry={() => void byType.refetch()} />
      ) : !chart ? (
        <Spinner label="Loading chart" />
      ) : isEmptyChart(chart) || chart.datasets.every((dataset) => dataset.data.every((value) => !value)) ? (
        <EmptyState title="No costs in this period" />
      ) : (
        <BarChart data={chart} unit={currency} label={`Cost per ${by} by type in ${currency}`} />
      )}
    </Card>
  );
}
