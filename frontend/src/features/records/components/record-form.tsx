"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { recordSchema, recordsQuery, type RecordInput, type RecordItem } from "@/features/records/api/records";
import { todayIn } from "@/lib/dates";
import { formatAmount, formatUnit } from "@/lib/format";
import { applyApiErrors, decimalNumber, isoDate } from "@/lib/forms";
import type { Meter } from "@/lib/meters";

const FIELDS = ["meter_id", "date", "amount", "cost", "note"] as const;

/** Whether the form stays open for the next record after this one is saved. */
export interface SubmitOptions {
  another: boolean;
}

/** The meter's other records of that day (a second one is allowed, but usually a mistake). */
function useSameDay(meterId: string, date: string, editing: number | undefined) {
  const valid = meterId !== "" && isoDate.safeParse(date).success;
  const sameDay = useQuery({
    ...recordsQuery({ meter_id: Number(meterId), date_from: date, date_to: date, sort: "-date", page: 1, per_page: 10 }),
    placeholderData: undefined,
    enabled: valid,
  });
  return valid ? (sameDay.data?.items.filter((item) => item.id !== editing) ?? []) : [];
}

export function RecordForm({
  meters,
  record,
  timeZone = "UTC",
  onSubmit,
  onCancel,
}: {
  meters: Meter[];
  record?: RecordItem;
  /** The user's time zone: a new record's date defaults to their today, the day the dashboard's periods end on. */
  timeZone?: string;
  onSubmit(values: RecordInput, options: SubmitOptions): Promise<unknown>;
  onCancel(): void;
}) {
  const [formError, setFormError] = useState<string>();
  const [added, setAdded] = useState<string>();
  const another = useRef(false);
  const active = meters.filter((meter) => !meter.archived || meter.id === record?.meter_id);
  const form = useForm<RecordInput>({
    resolver: zodResolver(recordSchema),
    defaultValues: record
      ? {
          meter_id: String(record.meter_id),
          date: record.date,
          amount: String(record.amount),
          cost: record.cost == null ? "" : String(record.cost),
          note: record.note ?? "",
        }
      : { meter_id: active[0] ? String(active[0].id) : "", date: todayIn(timeZone), amount: "", cost: "", note: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const meterId = form.watch("meter_id");
  const date = form.watch("date");
  const meter = meters.find((item) => String(item.id) === meterId);
  const unit = meter ? formatUnit(meter.unit) : undefined;
  const sameDay = useSameDay(meterId, date, record?.id);

  // Warnings, not refusals: a reading may be entered ahead, or a second one taken the same day.
  const warnings: string[] = [];
  if (isoDate.safeParse(date).success && date > todayIn(timeZone)) warnings.push("This date is in the future.");
  if (sameDay.length > 0)
    warnings.push(
      `${meter?.name ?? "This meter"} already has ${sameDay.length === 1 ? "a record" : `${sameDay.length} records`} on this day (${sameDay
        .map((item) => formatAmount(item.amount, item.unit))
        .join(", ")}): saving adds another.`,
    );

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    setAdded(undefined);
    const keep = another.current;
    try {
      await onSubmit(values, { another: keep });
      if (keep) {
        // The next reading of the same meter and day: only what changes is cleared.
        form.reset({ ...values, amount: "", cost: "", note: "" });
        setAdded(`Added ${formatAmount(decimalNumber(values.amount), meter?.unit)}. Add the next one.`);
        // After the reset has rendered (and the busy button has given focus back).
        setTimeout(() => form.setFocus("amount"), 0);
      }
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, FIELDS));
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <FormError message={formError} />
      {added && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
          {added}
        </p>
      )}
      <SelectField label="Meter" error={errors.meter_id?.message} {...form.register("meter_id")}>
        {active.map((meter) => (
          <option key={meter.id} value={meter.id}>
            {meter.name} ({formatUnit(meter.unit)})
          </option>
        ))}
      </SelectField>
      <TextField
        label="Date"
        type="date"
        error={errors.date?.message}
        hint={warnings.length ? <span data-testid="date-warning">{warnings.join(" ")}</span> : undefined}
        {...form.register("date")}
      />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField
          label="Amount"
          inputMode="decimal"
          autoComplete="off"
          suffix={unit}
          error={errors.amount?.message}
          {...form.register("amount")}
        />
        <TextField label="Cost (optional)" inputMode="decimal" autoComplete="off" error={errors.cost?.message} {...form.register("cost")} />
      </div>
      <TextAreaField label="Note (optional)" rows={2} error={errors.note?.message} {...form.register("note")} />
      <div className="flex flex-wrap justify-end gap-2 pt-1">
        <Button variant="secondary" onClick={onCancel}>
          {added ? "Done" : "Cancel"}
        </Button>
        {!record && (
          <Button type="submit" variant="secondary" busy={isSubmitting} onClick={() => (another.current = true)}>
            Save and add another
          </Button>
        )}
        <Button type="submit" busy={isSubmitting} onClick={() => (another.current = false)}>
          {record ? "Save changes" : "Add record"}
        </Button>
      </div>
    </form>
  );
}
