"use client";

import { Button } from "@/components/ui/button";
import { AttachmentThumbnails } from "@/features/attachments";
import type { Reading, ReadingFlag } from "@/features/readings/api/readings";
import { formatAmount } from "@/lib/format";
import type { Meter } from "@/lib/meters";

import { formatTakenAt } from "../utils/time";

const FLAG_LABELS: Record<ReadingFlag, { label: string; title: string; className: string }> = {
  wrapped: {
    label: "Wrapped",
    title: "The register passed its rollover and started again from 0",
    className: "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100",
  },
  high_rate: {
    label: "High rate",
    title: "More per day since the reading before than the meter's limit",
    className: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  },
};

function Badge({ className, title, children }: { className: string; title?: string; children: string }) {
  return (
    <span title={title} className={`rounded px-1.5 py-0.5 text-xs font-medium ${className}`}>
      {children}
    </span>
  );
}

/** A meter's readings, newest first, with their flags; edit and delete for those who may write. */
export function ReadingsList({
  meter,
  readings,
  canWrite,
  onEdit,
  onDelete,
}: {
  meter: Meter;
  readings: Reading[];
  canWrite: boolean;
  onEdit(reading: Reading): void;
  onDelete(reading: Reading): void;
}) {
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800" aria-label={`Readings of ${meter.name}`}>
      {readings.map((reading) => {
        const when = formatTakenAt(reading.taken_at);
        return (
          <li key={reading.id} className="flex flex-wrap items-center gap-2 py-2" data-testid={`reading-${reading.id}`}>
            <div className="min-w-0 flex-1">
              <p className="font-medium tabular-nums">
                {formatAmount(reading.value, meter.unit)}{" "}
                {reading.kind === "replacement" && (
                  <Badge className="bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100">Meter replaced</Badge>
                )}{" "}
                {(Object.keys(FLAG_LABELS) as ReadingFlag[])
                  .filter((flag) => reading.flags[flag])
                  .map((flag) => (
                    <Badge key={flag} className={FLAG_LABELS[flag].className} title={FLAG_LABELS[flag].title}>
                      {FLAG_LABELS[flag].label}
                    </Badge>
                  ))}
              </p>
              <p className="text-sm text-slate-600 dark:text-slate-300">
                {when}
                {reading.kind === "replacement" && reading.previous_final_value !== null
                  ? ` · old meter ended at ${formatAmount(reading.previous_final_value, meter.unit)}`
                  : ""}
                {reading.note ? ` · ${reading.note}` : ""}
              </p>
            </div>
            <AttachmentThumbnails ids={reading.attachment_ids} subject={`the reading of ${when}`} canDelete={canWrite} />
            {canWrite && (
              <>
                <Button variant="ghost" aria-label={`Edit the reading of ${when}`} onClick={() => onEdit(reading)}>
                  Edit
                </Button>
                <Button variant="danger-ghost" aria-label={`Delete the reading of ${when}`} onClick={() => onDelete(reading)}>
                  Delete
                </Button>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
