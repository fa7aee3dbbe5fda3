"use client";

import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import type { Summary } from "@/features/analytics/api/analytics";
import { costShare } from "@/features/analytics/utils/shaping";
import type { ApiError } from "@/lib/api-client";
import { formatMoney } from "@/lib/format";

import { ShareDoughnut } from "./charts";

export function CostShareCard({
  summary,
  error,
  currency,
  onRetry,
}: {
  summary: Summary | undefined;
  error: ApiError | null;
  currency: string;
  onRetry(): void;
}) {
  const share = summary ? costShare(summary) : null;
  return (
    <Card title="Cost share">
      {error ? (
        <ErrorState error={error} onRetry={onRetry} />
      ) : !summary ? (
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
  );
}
