"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { PhotoField, usePhotoUploads } from "@/features/attachments";
import { billBody, billSchema, useSaveBill, type Bill, type BillInput } from "@/features/bills/api/bills";
import { applyApiErrors } from "@/lib/forms";
import { formatUnit } from "@/lib/format";
import type { Meter } from "@/lib/meters";

const FIELDS = ["meter_id", "period_from", "period_to", "amount", "cost", "note"] as const;

/** Add or edit a bill: the meter, the days it covers, what was billed (consumption optional, cost required). */
export function BillForm({
  bill,
  meters,
  defaultMeterId,
  currency,
  onSaved,
  onCancel,
}: {
  bill?: Bill;
  meters: Meter[];
  defaultMeterId?: number;
  currency: string;
  onSaved(): void;
  onCancel(): void;
}) {
  const [formError, setFormError] = useState<string>();
  const choices = meters.filter((meter) => !meter.archived || meter.id === bill?.meter_id);
  const form = useForm<BillInput>({
    resolver: zodResolver(billSchema),
    defaultValues: bill
      ? {
          meter_id: String(bill.meter_id),
          period_from: bill.period_from,
          period_to: bill.period_to,
          amount: bill.amount === null ? "" : String(bill.amount),
          cost: String(bill.cost),
          note: bill.note ?? "",
        }
      : { meter_id: String(defaultMeterId ?? choices[0]?.id ?? ""), period_from: "", period_to: "", amount: "", cost: "", note: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const meter = meters.find((item) => String(item.id) === form.watch("meter_id"));
  const save = useSaveBill();
  const photos = usePhotoUploads();

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      // An edited bill keeps its photos; new ones are added after them.
      await save.mutateAsync({ id: bill?.id, body: photos.withIds(billBody(values), bill?.attachment_ids) });
      photos.clear();
      onSaved();
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, FIELDS));
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <FormError message={formError} />
      {bill ? (
        // A bill stays on its meter (the API changes its days and figures only).
        <p className="text-sm">
          <span className="font-medium">Meter:</span> {meter?.name ?? `#${bill.meter_id}`}
        </p>
      ) : (
        <SelectField label="Meter" error={errors.meter_id?.message} {...form.register("meter_id")}>
          {choices.map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
            </option>
          ))}
        </SelectField>
      )}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField label="From" type="date" error={errors.period_from?.message} {...form.register("period_from")} />
        <TextField label="To" type="date" error={errors.period_to?.message} {...form.register("period_to")} />
      </div>
      <TextField
        label="Billed consumption"
        inputMode="decimal"
        hint="Optional"
        suffix={meter ? formatUnit(meter.unit) : undefined}
        error={errors.amount?.message}
        {...form.register("amount")}
      />
      <TextField label="Billed cost" inputMode="decimal" suffix={currency} error={errors.cost?.message} {...form.register("cost")} />
      <TextAreaField label="Note" rows={2} error={errors.note?.message} {...form.register("note")} />
      <PhotoField label="Photo of the bill" subject="the bill" {...photos.field} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={isSubmitting} disabled={photos.uploading}>
          {bill ? "Save" : "Add bill"}
        </Button>
      </div>
    </form>
  );
}
