"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { FormError, SelectField } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { PendingEntries } from "@/features/offline";
import { readingsQuery, useDeleteReading, type Reading } from "@/features/readings/api/readings";
import { ApiError } from "@/lib/api-client";
import { formatAmount, formatUnit } from "@/lib/format";
import { useCanWrite } from "@/lib/household";
import { isReadingsMeter, type ModedMeter } from "@/lib/meter-modes";
import { metersQuery } from "@/lib/meters";

import { ReadingEdit } from "./reading-edit";
import { ReadingEntry } from "./reading-entry";
import { ReadingsList } from "./readings-list";
import { ReplaceDialog, type ReplaceStart } from "./replace-dialog";
import { formatTakenAt } from "../utils/time";

/** localStorage key of the meter last picked on this page: its id only. */
export const READINGS_METER_KEY = "meterbook.readings-meter";

/** The meter asked for (`?meter_id=`, the meters page's link), else the one last picked here. */
function initialMeter(): number | null {
  try {
    const asked = new URLSearchParams(window.location.search).get("meter_id");
    const value = Number(asked ?? window.localStorage.getItem(READINGS_METER_KEY));
    return Number.isInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

function remember(id: number) {
  try {
    window.localStorage.setItem(READINGS_METER_KEY, String(id));
  } catch {
    // Private mode or a full storage: the choice lasts for this page only.
  }
}

/** The meter's readings, a page at a time, with edit and delete. */
function MeterReadings({ meter, canWrite }: { meter: ModedMeter; canWrite: boolean }) {
  const toast = useToast();
  const [page, setPage] = useState(1);
  const readings = useQuery(readingsQuery(meter.id, page));
  const remove = useDeleteReading();
  const [editing, setEditing] = useState<Reading | null>(null);
  const [deleting, setDeleting] = useState<Reading | null>(null);
  const [deleteError, setDeleteError] = useState<string>();

  const confirmDelete = async () => {
    if (!deleting) return;
    setDeleteError(undefined);
    try {
      await remove.mutateAsync(deleting.id);
      toast("Reading deleted.", "success");
      setDeleting(null);
    } catch (error) {
      setDeleteError(error instanceof ApiError ? error.message : "Something went wrong.");
    }
  };

  return (
    <Card title="Readings">
      {readings.error && !readings.isPlaceholderData ? (
        <ErrorState error={readings.error} onRetry={() => void readings.refetch()} />
      ) : !readings.data ? (
        <Spinner label="Loading readings" />
      ) : readings.data.total === 0 ? (
        <EmptyState title="No readings yet">
          {canWrite ? "Type the number on the meter above." : "Nobody has read this meter yet."}
        </EmptyState>
      ) : (
        <div className={readings.isPlaceholderData ? "opacity-60" : undefined} aria-busy={readings.isPlaceholderData || undefined}>
          <ReadingsList
            meter={meter}
            readings={readings.data.items}
            canWrite={canWrite}
            onEdit={setEditing}
            onDelete={(reading) => {
              setDeleteError(undefined);
              setDeleting(reading);
            }}
          />
          <Pagination page={readings.data.page} pages={readings.data.pages} total={readings.data.total} onPage={setPage} />
        </div>
      )}
      <Dialog open={editing !== null} title="Edit reading" onClose={() => setEditing(null)}>
        {editing && (
          <ReadingEdit
            key={editing.id}
            meter={meter}
            reading={editing}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              toast("Reading saved.", "success");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this reading?"
        message={
          deleting && (
            <>
              <FormError message={deleteError} />
              <p className="mt-2">
                {formatAmount(deleting.value, meter.unit)} on {formatTakenAt(deleting.taken_at)}. The consumption around it is worked out
                again from the readings either side.
              </p>
            </>
          )
        }
        busy={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </Card>
  );
}

/** Built for a phone in a cellar: pick the meter, type the number, one tap to save. */
export function ReadingsPage() {
  const toast = useToast();
  const canWrite = useCanWrite();
  const meters = useQuery(metersQuery());
  const [chosen, setChosen] = useState<number | null>(() => (typeof window === "undefined" ? null : initialMeter()));
  const [replacing, setReplacing] = useState<ReplaceStart | null>(null);

  const readingsMeters = (meters.data ?? []).filter(isReadingsMeter).filter((meter) => !meter.archived);
  const meter = readingsMeters.find((item) => item.id === chosen) ?? readingsMeters[0];

  const choose = (id: number) => {
    remember(id);
    setChosen(id);
  };

  return (
    <div className="mx-auto max-w-xl space-y-4">
      <PageHeader
        title="Readings"
        actions={
          canWrite &&
          meter && (
            <Button variant="secondary" onClick={() => setReplacing({})}>
              Replace meter
            </Button>
          )
        }
      />
      {meters.error && !meters.data ? (
        <ErrorState error={meters.error} onRetry={() => void meters.refetch()} />
      ) : !meters.data ? (
        <Spinner label="Loading meters" />
      ) : !meter ? (
        <EmptyState title="No meter takes readings yet">
          {canWrite ? (
            <>
              Set a meter&apos;s mode to Readings on the{" "}
              <Link href="/meters" className="font-medium text-indigo-700 underline dark:text-indigo-300">
                meters page
              </Link>{" "}
              (or add one), then type the number off the meter here.
            </>
          ) : (
            "This household has no meter read off its register."
          )}
        </EmptyState>
      ) : (
        <div key={meter.id} className="space-y-4">
          <Card>
            <div className="space-y-4">
              <SelectField label="Meter" value={meter.id} onChange={(event) => choose(Number(event.target.value))}>
                {readingsMeters.map((item) => (
                  <option key={item.id} value={item.id}>
                    {item.name} ({formatUnit(item.unit)})
                  </option>
                ))}
              </SelectField>
              {canWrite ? (
                <ReadingEntry meter={meter} onReplace={(value, takenAt) => setReplacing({ value, taken_at: takenAt })} />
              ) : (
                <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="last-reading">
                  {meter.last_reading
                    ? `Last reading ${formatAmount(meter.last_reading.value, meter.unit)} on ${formatTakenAt(meter.last_reading.taken_at)}`
                    : "No readings yet."}
                </p>
              )}
            </div>
          </Card>
          {canWrite && <PendingEntries kind="reading" meterId={meter.id} />}
          <MeterReadings meter={meter} canWrite={canWrite} />
          {canWrite && (
            <ReplaceDialog
              meter={meter}
              start={replacing}
              onClose={() => setReplacing(null)}
              onDone={() => {
                toast("Meter replacement recorded.", "success");
                setReplacing(null);
              }}
            />
          )}
        </div>
      )}
    </div>
  );
}
