"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { FormError, TextField } from "@/components/ui/field";
import {
  readingErrors,
  replacementSchema,
  toReplacementBody,
  useSaveReading,
  type ReplacementInput,
} from "@/features/readings/api/readings";
import { ApiError } from "@/lib/api-client";
import { formatAmount, formatUnit } from "@/lib/format";
import { decimalNumber } from "@/lib/forms";
import type { ModedMeter } from "@/lib/meter-modes";

import { formatTakenAt, fromLocalInput, toLocalInput } from "../utils/time";

export interface ReplaceStart {
  value?: string;
  taken_at?: string;
}

function ReplaceForm({ meter, start, onDone, onCancel }: { meter: ModedMeter; start: ReplaceStart; onDone(): void; onCancel(): void }) {
  const [formError, setFormError] = useState<string>();
  const save = useSaveReading();
  const last = meter.last_reading;
  const unit = formatUnit(meter.unit);
  const form = useForm<ReplacementInput>({
    resolver: zodResolver(replacementSchema),
    defaultValues: { previous_final_value: "", value: start.value ?? "0", taken_at: start.taken_at ?? toLocalInput(new Date()) },
  });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    // The old register ran on from the last reading: its final value cannot be below it (the API's rule too).
    const when = fromLocalInput(values.taken_at);
    if (last && when && when > new Date(last.taken_at) && decimalNumber(values.previous_final_value) < last.value) {
      form.setError("previous_final_value", {
        type: "validate",
        message: `The old meter's final value must not be below its last reading (${formatAmount(last.value, meter.unit)})`,
      });
      return;
    }
    try {
      await save.mutateAsync({ body: toReplacementBody(meter.id, values) });
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) form.setError("taken_at", { type: "server", message: error.message });
      else {
        const { fields, form: message } = readingErrors(error, {
          previous_final_value: "The old meter's final value",
          value: "The new meter's start value",
          taken_at: "The time",
        });
        for (const [field, text] of Object.entries(fields))
          form.setError(field as keyof ReplacementInput, { type: "server", message: text });
        setFormError(message);
      }
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        The consumption up to the swap is the old meter&apos;s final value minus its last reading; the new meter counts on from its start
        value.
      </p>
      <FormError message={formError} />
      <TextField
        label="Old meter's final value"
        inputMode="decimal"
        autoComplete="off"
        suffix={unit}
        hint={last ? `Its last reading was ${formatAmount(last.value, meter.unit)} on ${formatTakenAt(last.taken_at)}` : undefined}
        error={errors.previous_final_value?.message}
        {...form.register("previous_final_value")}
      />
      <TextField
        label="New meter's start value"
        inputMode="decimal"
        autoComplete="off"
        suffix={unit}
        error={errors.value?.message}
        {...form.register("value")}
      />
      <TextField label="Replaced at" type="datetime-local" error={errors.taken_at?.message} {...form.register("taken_at")} />
      <div className="flex flex-wrap justify-end gap-2 pt-1">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={isSubmitting}>
          Record replacement
        </Button>
      </div>
    </form>
  );
}

/** "Replace meter": the old register's final value, the new one's start value and when; posts a `replacement` reading. */
export function ReplaceDialog({
  meter,
  start,
  onClose,
  onDone,
}: {
  meter: ModedMeter;
  /** Open with these (what was typed in the entry), or null to keep it closed. */
  start: ReplaceStart | null;
  onClose(): void;
  onDone(): void;
}) {
  return (
    <Dialog open={start !== null} title={`Replace ${meter.name}`} onClose={onClose}>
      {start !== null && <ReplaceForm meter={meter} start={start} onDone={onDone} onCancel={onClose} />}
    </Dialog>
  );
}
