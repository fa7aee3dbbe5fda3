"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { PhotoField, usePhotoUploads } from "@/features/attachments";
import { FormError, TextField } from "@/components/ui/field";
import { isNetworkFailure, isOffline, newIdempotencyKey, queueWrite } from "@/features/offline";
import { readingErrors, readingSchema, toReadingBody, useSaveReading, type ReadingInput } from "@/features/readings/api/readings";
import { ApiError } from "@/lib/api-client";
import { formatAmount, formatNumber, formatUnit } from "@/lib/format";
import { decimalNumber } from "@/lib/forms";
import type { ModedMeter } from "@/lib/meter-modes";

import { formatElapsed, impliedConsumption } from "../utils/consumption";
import { formatTakenAt, fromLocalInput, toLocalInput } from "../utils/time";

/** What the typed value means: the consumption since the last reading, or why it is not one. */
function ImpliedLine({ meter, value, takenAt, onReplace }: { meter: ModedMeter; value: string; takenAt: string; onReplace(): void }) {
  const last = meter.last_reading;
  const parsed = readingSchema.shape.value.safeParse(value);
  const when = fromLocalInput(takenAt);
  if (!last || !parsed.success || !when) return null;
  const implied = impliedConsumption(last, decimalNumber(parsed.data), when, meter);
  const unit = meter.unit;
  if (implied.kind === "earlier")
    return (
      <p className="text-sm text-slate-600 dark:text-slate-300">Taken before the last reading: it goes between the earlier readings.</p>
    );
  if (implied.kind === "decrease")
    return (
      <p
        className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        data-testid="decrease-warning"
      >
        {formatAmount(-implied.amount, unit)} lower than the last reading — replaced the meter?{" "}
        <button type="button" className="font-medium underline" onClick={onReplace}>
          Record a meter replacement
        </button>
      </p>
    );
  const since = `${formatAmount(implied.amount, unit)} in ${formatElapsed(implied.days)} since the last reading`;
  const perDay =
    implied.perDay !== null && implied.days >= 1 ? ` (${formatAmount(Math.round(implied.perDay * 1000) / 1000, unit)} a day)` : "";
  return (
    <div className="space-y-1 text-sm" data-testid="implied">
      <p className="font-medium text-slate-800 dark:text-slate-100">
        {implied.kind === "wrap" ? `Wraps at ${formatNumber(implied.rolloverAt)}: ` : ""}
        {since}
        {perDay}
      </p>
      {implied.highRate && (
        <p className="text-amber-800 dark:text-amber-300">
          More than this meter&apos;s limit of {formatAmount(meter.max_per_day ?? 0, unit)} a day: check the value (it will be flagged).
        </p>
      )}
    </div>
  );
}

/** One large field for the register's value, the time (now unless changed) and a one-tap save. */
export function ReadingEntry({
  meter,
  onReplace,
}: {
  meter: ModedMeter;
  /** Open the replacement dialog with what was typed (the new register's value and the time). */
  onReplace(value: string, takenAt: string): void;
}) {
  const [formError, setFormError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const save = useSaveReading();
  const photos = usePhotoUploads();
  const form = useForm<ReadingInput>({
    resolver: zodResolver(readingSchema),
    defaultValues: { value: "", taken_at: toLocalInput(new Date()), note: "" },
  });
  const { errors, isSubmitting, dirtyFields } = form.formState;
  const value = form.watch("value");
  const takenAt = form.watch("taken_at");
  const last = meter.last_reading;
  const unit = formatUnit(meter.unit);

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    setSaved(undefined);
    // A time left as it was is "now": the moment of the tap, not the page's opening (upstairs, before the walk down).
    const body = photos.withIds(toReadingBody(meter.id, values, dirtyFields.taken_at ? undefined : new Date()));
    const key = newIdempotencyKey();
    const amount = formatAmount(decimalNumber(values.value), meter.unit);
    const done = (message: string) => {
      photos.clear();
      setSaved(message);
      // The next reading is taken later: the time starts again from now.
      form.reset({ value: "", taken_at: toLocalInput(new Date()), note: "" });
    };
    // No connection (or no answer): kept on the device with its key, sent when the connection returns.
    const keep = async () => {
      await queueWrite({
        write: { kind: "reading", body },
        meterId: meter.id,
        key,
        label: `${amount} on ${formatTakenAt((body as { taken_at: string }).taken_at)}`,
      });
      done(`Saved ${amount} on this device: it is sent when the connection returns.`);
    };
    if (isOffline()) return keep();
    try {
      await save.mutateAsync({ body, key });
      done(`Saved ${amount}.`);
    } catch (error) {
      if (isNetworkFailure(error)) return keep();
      // Two readings at one instant: the time is what to change.
      if (error instanceof ApiError && error.status === 409) form.setError("taken_at", { type: "server", message: error.message });
      else {
        const { fields, form: message } = readingErrors(error, { value: "The reading", taken_at: "The time", note: "The note" });
        for (const [field, text] of Object.entries(fields)) form.setError(field as keyof ReadingInput, { type: "server", message: text });
        setFormError(message);
      }
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-3" aria-label="New reading">
      <FormError message={formError} />
      {saved && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
          {saved}
        </p>
      )}
      <TextField
        label={`Reading on ${meter.name}`}
        inputMode="decimal"
        autoComplete="off"
        enterKeyHint="done"
        placeholder={last ? formatNumber(last.value) : "0"}
        suffix={unit}
        className="min-h-16! py-3 text-3xl! font-semibold tabular-nums"
        hint={
          last
            ? `Last reading ${formatAmount(last.value, meter.unit)} on ${formatTakenAt(last.taken_at)}`
            : "The first reading of this meter"
        }
        error={errors.value?.message}
        {...form.register("value", { onChange: () => setSaved(undefined) })}
      />
      <div aria-live="polite">
        <ImpliedLine meter={meter} value={value} takenAt={takenAt} onReplace={() => onReplace(value, takenAt)} />
      </div>
      <TextField label="Taken at" type="datetime-local" error={errors.taken_at?.message} {...form.register("taken_at")} />
      <PhotoField label="Photo of the register" subject="the register" {...photos.field} />
      <Button type="submit" busy={isSubmitting} disabled={photos.uploading} className="min-h-12! w-full text-base!">
        Save reading
      </Button>
    </form>
  );
}
