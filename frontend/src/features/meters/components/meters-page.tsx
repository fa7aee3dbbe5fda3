"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { FormError, SelectField, TextField } from "@/components/ui/field";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import {
  latestRecordQuery,
  meterDefaults,
  meterMonthQuery,
  meterSchema,
  readingCountQuery,
  toMeterUpdate,
  useCreateMeter,
  useDeleteMeter,
  useUpdateMeter,
  type MeterInput,
} from "@/features/meters/api/meters";
import { ApiError, type Schema } from "@/lib/api-client";
import { todayIn } from "@/lib/dates";
import { formatAmount, formatDate, formatPercent, formatUnit } from "@/lib/format";
import { applyApiErrors } from "@/lib/forms";
import { useCanWrite, useHouseholdSettings } from "@/lib/household";
import { isReadingsMeter, MODE_LABELS } from "@/lib/meter-modes";
import { METER_TYPES, metersQuery, TYPE_LABELS, UNITS, type Meter } from "@/lib/meters";

export function MeterForm({ meter, onSaved, onCancel }: { meter?: Meter; onSaved(): void; onCancel(): void }) {
  const [formError, setFormError] = useState<string>();
  const form = useForm<MeterInput>({ resolver: zodResolver(meterSchema), defaultValues: meterDefaults(meter) });
  const { errors, isSubmitting } = form.formState;
  const type = form.watch("type");
  const mode = form.watch("mode");

  const createMeter = useCreateMeter();
  const updateMeter = useUpdateMeter();

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    const changes = meter ? toMeterUpdate(meter, values) : undefined;
    const kindChanged = changes !== undefined && "type" in changes;
    const modeChanged = changes !== undefined && "mode" in changes;
    try {
      if (meter) await updateMeter.mutateAsync({ id: meter.id, changes: changes as Schema<"MeterUpdate">, silent: true });
      else await createMeter.mutateAsync(values);
      onSaved();
    } catch (error) {
      // A mode change is refused (409) once the meter has records or readings: say it under the mode.
      if (error instanceof ApiError && error.status === 409 && modeChanged)
        form.setError("mode", { type: "server", message: error.message });
      // A conflict without a type or unit change is the name: say it under the name.
      else if (error instanceof ApiError && error.status === 409 && !kindChanged)
        form.setError("name", { type: "server", message: error.message });
      else setFormError(applyApiErrors(error, form.setError, ["name", "type", "unit", "mode", "rollover_at", "max_per_day"]));
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <FormError message={formError} />
      <TextField
        label="Name"
        error={errors.name?.message}
        {...form.register("name", {
          // A "name taken" answer is about the old name: it goes as soon as the name changes.
          onChange: () => {
            if (errors.name?.type === "server") form.clearErrors("name");
            setFormError(undefined);
          },
        })}
      />
      <SelectField
        label="Type"
        error={errors.type?.message}
        {...form.register("type", {
          onChange: (event: { target: { value: Meter["type"] } }) => {
            const next = event.target.value;
            form.setValue("unit", next === "other" ? "" : UNITS[next][0]!);
          },
        })}
      >
        {METER_TYPES.map((item) => (
          <option key={item} value={item}>
            {TYPE_LABELS[item]}
          </option>
        ))}
      </SelectField>
      {type === "other" ? (
        <TextField
          label="Unit"
          hint="Any unit, 1–16 characters (never converted)"
          error={errors.unit?.message}
          {...form.register("unit")}
        />
      ) : (
        <SelectField label="Unit" error={errors.unit?.message} {...form.register("unit")}>
          {UNITS[type].map((unit) => (
            <option key={unit} value={unit}>
              {formatUnit(unit)}
            </option>
          ))}
        </SelectField>
      )}
      <fieldset className="space-y-1" aria-describedby={errors.mode ? "meter-mode-error" : "meter-mode-hint"}>
        <legend className="block text-sm font-medium text-slate-700 dark:text-slate-200">Mode</legend>
        {(["consumption", "readings"] as const).map((value) => (
          <label key={value} className="flex min-h-11 items-center gap-2 text-sm sm:min-h-0">
            <input
              type="radio"
              value={value}
              className="h-4 w-4"
              {...form.register("mode", { onChange: () => form.clearErrors("mode") })}
            />
            {MODE_LABELS[value]}
          </label>
        ))}
        {errors.mode ? (
          <p id="meter-mode-error" role="alert" className="text-xs text-red-600 dark:text-red-400">
            {errors.mode.message}
          </p>
        ) : (
          <p id="meter-mode-hint" className="text-xs text-slate-600 dark:text-slate-300">
            Readings: type the number on the meter and the consumption is worked out. Changes only while the meter has no records or
            readings.
          </p>
        )}
      </fieldset>
      {mode === "readings" && (
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <TextField
            label="Rolls over after (optional)"
            inputMode="decimal"
            autoComplete="off"
            hint="The register's highest value, e.g. 99999.9: a lower reading then counts as a wrap to 0"
            error={errors.rollover_at?.message}
            {...form.register("rollover_at")}
          />
          <TextField
            label="Limit per day (optional)"
            inputMode="decimal"
            autoComplete="off"
            hint="Readings implying more a day are flagged as a high rate"
            error={errors.max_per_day?.message}
            {...form.register("max_per_day")}
          />
        </div>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={isSubmitting}>
          {meter ? "Save" : "Add meter"}
        </Button>
      </div>
    </form>
  );
}

type MeterFigures = Schema<"SummaryGroup"> | undefined;

/** A meter's last value, this month's total and its trend against the same days of last month. */
function MeterStats({ meter, month }: { meter: Meter; month: MeterFigures }) {
  const readings = isReadingsMeter(meter);
  // A readings meter brings its last reading along; a consumption meter's latest record is asked for.
  const latest = useQuery({ ...latestRecordQuery(meter.id), enabled: !readings });
  const last = latest.data?.items[0];
  const change = month?.change_pct;
  const lastText = readings
    ? meter.last_reading
      ? `Last reading ${formatAmount(meter.last_reading.value, meter.unit)} on ${new Date(meter.last_reading.taken_at).toLocaleDateString()}`
      : "No readings yet"
    : last
      ? `Last ${formatAmount(last.amount, last.unit)} on ${formatDate(last.date)}`
      : latest.data
        ? "No records yet"
        : "…";
  return (
    <p className="text-sm text-slate-600 dark:text-slate-300" data-testid={`meter-stats-${meter.id}`}>
      {lastText}
      {month &&
        ` · this month ${formatAmount(month.total, month.unit)}${
          change === null || change === undefined ? "" : ` (${formatPercent(change)} vs last month)`
        }`}
    </p>
  );
}

export function MetersPage() {
  const toast = useToast();
  const today = todayIn(useHouseholdSettings().timezone);
  const meters = useQuery(metersQuery());
  const month = useQuery(meterMonthQuery(today));
  const updateMeter = useUpdateMeter();
  const deleteMeter = useDeleteMeter();
  const [editing, setEditing] = useState<Meter | "new" | null>(null);
  const [deleting, setDeleting] = useState<Meter | null>(null);
  // What goes with a deleted meter: its records, or a readings meter's readings.
  const deletingReadings = deleting !== null && isReadingsMeter(deleting);
  const deletingRecords = useQuery({ ...latestRecordQuery(deleting?.id ?? 0), enabled: deleting !== null && !deletingReadings });
  const deletingReadingCount = useQuery({ ...readingCountQuery(deleting?.id ?? 0), enabled: deletingReadings });
  const deletingCount = deletingReadings
    ? { count: deletingReadingCount.data, refetch: deletingReadingCount.refetch }
    : { count: deletingRecords.data?.total, refetch: deletingRecords.refetch };
  const recordCount = deleting ? deletingCount.count : undefined;
  const noun = deletingReadings ? "reading" : "record";
  // A viewer sees the meters; adding, editing, archiving and deleting are for editors and owners.
  const canWrite = useCanWrite();

  const toggleArchived = async (meter: Meter) => {
    try {
      await updateMeter.mutateAsync({ id: meter.id, changes: { archived: !meter.archived } });
    } catch {
      // the toast shows the failure
    }
  };

  const confirmDelete = async () => {
    if (!deleting || recordCount === undefined) return;
    try {
      await deleteMeter.mutateAsync({ id: deleting.id, cascade: recordCount > 0 });
      toast("Meter deleted.", "success");
      setDeleting(null);
    } catch (error) {
      // A record added since the count was read: the count is read again and the warning says so.
      if (error instanceof ApiError && error.code === "conflict") void deletingCount.refetch();
      else if (error instanceof ApiError) toast(error.message, "error");
    }
  };

  return (
    <>
      <PageHeader title="Meters" actions={canWrite && <Button onClick={() => setEditing("new")}>Add meter</Button>} />
      <Card>
        {meters.error && !meters.data ? (
          <ErrorState error={meters.error} onRetry={() => void meters.refetch()} />
        ) : !meters.data ? (
          <Spinner label="Loading meters" />
        ) : meters.data.length === 0 ? (
          <EmptyState title="No meters yet">Add a meter to start recording.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {meters.data.map((meter) => (
              <li key={meter.id} className="flex flex-wrap items-center gap-2 py-2">
                <div className="min-w-0 flex-1">
                  <p className="font-medium break-words">
                    <Link
                      href={`/meters/${meter.id}`}
                      className="text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
                      aria-label={`${meter.name}: details and tariffs`}
                    >
                      {meter.name}
                    </Link>{" "}
                    {meter.archived && <span className="ml-1 rounded bg-slate-200 px-1.5 py-0.5 text-xs dark:bg-slate-700">archived</span>}
                  </p>
                  <p className="text-sm text-slate-500 dark:text-slate-400">
                    {TYPE_LABELS[meter.type]} · {formatUnit(meter.unit)}
                    {isReadingsMeter(meter) && " · read off the register"}
                  </p>
                  <MeterStats meter={meter} month={month.data?.groups.find((group) => group.key === String(meter.id))} />
                </div>
                <Link
                  href={isReadingsMeter(meter) ? `/readings?meter_id=${meter.id}` : `/records?meter_id=${meter.id}`}
                  className="inline-flex min-h-11 items-center rounded-md px-3 text-sm font-medium text-indigo-700 hover:bg-slate-100 sm:min-h-9 dark:text-indigo-300 dark:hover:bg-slate-800"
                  aria-label={`${isReadingsMeter(meter) ? "Readings" : "Records"} of ${meter.name}`}
                >
                  {isReadingsMeter(meter) ? "Readings" : "Records"}
                </Link>
                {canWrite && (
                  <>
                    <Button variant="ghost" aria-label={`Edit ${meter.name}`} onClick={() => setEditing(meter)}>
                      Edit
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`${meter.archived ? "Restore" : "Archive"} ${meter.name}`}
                      onClick={() => toggleArchived(meter)}
                    >
                      {meter.archived ? "Restore" : "Archive"}
                    </Button>
                    <Button variant="danger-ghost" aria-label={`Delete ${meter.name}`} onClick={() => setDeleting(meter)}>
                      Delete
                    </Button>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Dialog open={editing !== null} title={editing === "new" ? "Add meter" : "Edit meter"} onClose={() => setEditing(null)}>
        {editing !== null && (
          <MeterForm
            key={editing === "new" ? "new" : editing.id}
            meter={editing === "new" ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              toast(editing === "new" ? "Meter added." : "Meter saved.", "success");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title={recordCount ? `Delete the meter and its ${noun}s?` : "Delete this meter?"}
        message={
          deleting &&
          (recordCount === undefined
            ? `Counting its ${noun}s…`
            : recordCount === 0
              ? `${deleting.name} has no ${noun}s and will be deleted.`
              : `${deleting.name} has ${recordCount.toLocaleString()} ${noun}${recordCount === 1 ? "" : "s"}. Deleting it deletes ${
                  recordCount === 1 ? "it" : "every one of them"
                } too.${deleting.archived ? "" : " Archive it instead to keep them and hide the meter from new records."}`)
        }
        confirmLabel={recordCount ? `Delete meter and ${recordCount.toLocaleString()} ${noun}${recordCount === 1 ? "" : "s"}` : "Delete"}
        busy={deleteMeter.isPending || (deleting !== null && recordCount === undefined)}
        alternative={
          deleting && !deleting.archived && recordCount
            ? {
                label: "Archive",
                onClick: () => {
                  void toggleArchived(deleting);
                  setDeleting(null);
                },
              }
            : undefined
        }
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
