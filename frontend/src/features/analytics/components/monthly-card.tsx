"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import { timeseriesQuery } from "@/features/analytics/api/analytics";
import { stackedBars, type BarMetric } from "@/features/analytics/utils/shaping";

import { StackedBarChart } from "./charts";

/** The last twelve months, stacked by type: cost or number of records. */
export function MonthlyCard({ currency }: { currency: string }) {
  const [metric, setMetric] = useState<BarMetric>("cost");
  const monthly = useQuery(timeseriesQuery({ granularity: "month", group_by: "type" }));
  const bars = monthly.data ? stackedBars(monthly.data, metric) : null;
  return (
    <Card
      title="Last 12 months by type"
      actions={
        <label className="flex items-center gap-2 text-sm">
          <span>Show</span>
          <select
            className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800"
            value={metric}
            onChange={(event) => setMetric(event.target.value as BarMetric)}
          >
            <option value="cost">Cost ({currency})</option>
            <option value="count">Number of records</option>
          </select>
        </label>
      }
    >
      {monthly.isError ? (
        <ErrorState error={monthly.error} onRetry={() => void monthly.refetch()} />
      ) : !bars ? (
        <Spinner label="Loading chart" />
      ) : bars.datasets.every((dataset) => dataset.data.every((value) => value === 0)) ? (
        <EmptyState title={metric === "cost" ? "No costs recorded in the last 12 months" : "No records in the last 12 months"} />
      ) : (
        <StackedBarChart
          data={bars}
          label={`Monthly ${metric === "cost" ? "cost" : "number of records"} by type over the last 12 months`}
        />
      )}
    </Card>
  );
}
