"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { recordSchema, type RecordInput, type RecordItem } from "@/features/records/api/records";
import { todayIn } from "@/lib/dates";
import { formatUnit } from "@/lib/format";
import { applyApiErrors } from "@/lib/forms";
import type { Meter } from "@/lib/meters";

const FIELDS = ["meter_id", "date", "amount", "cost", "note"] as const;

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
  onSubmit(values: RecordInput): Promise<unknown>;
  onCancel(): void;
}) {
  const [formError, setFormError] = useState<string>();
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

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      await onSubmit(values);
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, FIELDS));
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <FormError message={formError} />
      <SelectField label="Meter" error={errors.meter_id?.message} {...form.register("meter_id")}>
        {active.map((meter) => (
          <option key={meter.id} value={meter.id}>
            {meter.name} ({formatUnit(meter.unit)})
          </option>
        ))}
      </SelectField>
      <TextField label="Date" type="date" error={errors.date?.message} {...form.register("date")} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField label="Amount" inputMode="decimal" autoComplete="off" error={errors.amount?.message} {...form.register("amount")} />
        <TextField label="Cost (optional)" inputMode="decimal" autoComplete="off" error={errors.cost?.message} {...form.register("cost")} />
      </div>
      <TextAreaField label="Note (optional)" rows={2} error={errors.note?.message} {...form.register("note")} />
      <div className="flex justify-end gap-2 pt-1">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={isSubmitting}>
          {record ? "Save changes" : "Add record"}
        </Button>
      </div>
    </form>
  );
}
