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
  meterMonthQuery,
  meterSchema,
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
import { METER_TYPES, metersQuery, TYPE_LABELS, UNITS, type Meter } from "@/lib/meters";

export function MeterForm({ meter, onSaved, onCancel }: { meter?: Meter; onSaved(): void; onCancel(): void }) {
  const [formError, setFormError] = useState<string>();
  const form = useForm<MeterInput>({
    resolver: zodResolver(meterSchema),
    defaultValues: meter ? { name: meter.name, type: meter.type, unit: meter.unit } : { name: "", type: "electricity", unit: "kWh" },
  });
  const { errors, isSubmitting } = form.formState;
  const type = form.watch("type");

  const createMeter = useCreateMeter();
  const updateMeter = useUpdateMeter();

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    const kindChanged = !!meter && (values.type !== meter.type || values.unit !== meter.unit);
    try {
      if (meter) {
        const changes: Partial<MeterInput> = { name: values.name };
        if (kindChanged) Object.assign(changes, { type: values.type, unit: values.unit });
        await updateMeter.mutateAsync({ id: meter.id, changes, silent: true });
      } else {
        await createMeter.mutateAsync(values);
      }
      onSaved();
    } catch (error) {
      // A conflict without a type or unit change is the name: say it under the name.
      if (error instanceof ApiError && error.status === 409 && !kindChanged)
        form.setError("name", { type: "server", message: error.message });
      else setFormError(applyApiErrors(error, form.setError, ["name", "type", "unit"]));
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
  const latest = useQuery(latestRecordQuery(meter.id));
  const last = latest.data?.items[0];
  const change = month?.change_pct;
  return (
    <p className="text-sm text-slate-600 dark:text-slate-300" data-testid={`meter-stats-${meter.id}`}>
      {last ? `Last ${formatAmount(last.amount, last.unit)} on ${formatDate(last.date)}` : latest.data ? "No records yet" : "…"}
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
  const deletingCount = useQuery({ ...latestRecordQuery(deleting?.id ?? 0), enabled: deleting !== null });
  const recordCount = deleting ? deletingCount.data?.total : undefined;
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
                  </p>
                  <MeterStats meter={meter} month={month.data?.groups.find((group) => group.key === String(meter.id))} />
                </div>
                <Link
                  href={`/records?meter_id=${meter.id}`}
                  className="inline-flex min-h-11 items-center rounded-md px-3 text-sm font-medium text-indigo-700 hover:bg-slate-100 sm:min-h-9 dark:text-indigo-300 dark:hover:bg-slate-800"
                  aria-label={`Records of ${meter.name}`}
                >
                  Records
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
        title={recordCount ? "Delete the meter and its records?" : "Delete this meter?"}
        message={
          deleting &&
          (recordCount === undefined
            ? "Counting its records…"
            : recordCount === 0
              ? `${deleting.name} has no records and will be deleted.`
              : `${deleting.name} has ${recordCount.toLocaleString()} record${recordCount === 1 ? "" : "s"}. Deleting it deletes ${
                  recordCount === 1 ? "it" : "every one of them"
                } too.${deleting.archived ? "" : " Archive it instead to keep them and hide the meter from new records."}`)
        }
        confirmLabel={recordCount ? `Delete meter and ${recordCount.toLocaleString()} record${recordCount === 1 ? "" : "s"}` : "Delete"}
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
