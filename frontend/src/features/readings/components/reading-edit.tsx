"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";

import { Button } from "@/components/ui/button";
import { FormError, TextAreaField, TextField } from "@/components/ui/field";
import { PhotoField, usePhotoUploads } from "@/features/attachments";
import {
  readingErrors,
  readingValue,
  takenAt,
  takenAtBody,
  useSaveReading,
  type Reading,
  type ReadingUpdate,
} from "@/features/readings/api/readings";
import { ApiError } from "@/lib/api-client";
import { formatUnit } from "@/lib/format";
import { decimalNumber } from "@/lib/forms";
import type { Meter } from "@/lib/meters";

import { toLocalInput } from "../utils/time";

const editSchema = z.object({
  value: readingValue("Reading"),
  taken_at: takenAt,
  // Only a replacement has it; "" for a plain reading.
  previous_final_value: z.union([z.literal(""), readingValue("The old meter's final value")]),
  note: z.string().max(500, "Note must be at most 500 characters"),
});
type EditInput = z.infer<typeof editSchema>;

/** Edit a reading's value, time and note (and a replacement's old final value); sends what changed. */
export function ReadingEdit({ meter, reading, onSaved, onCancel }: { meter: Meter; reading: Reading; onSaved(): void; onCancel(): void }) {
  const [formError, setFormError] = useState<string>();
  const save = useSaveReading();
  const photos = usePhotoUploads();
  const replacement = reading.kind === "replacement";
  const initial: EditInput = {
    value: String(reading.value),
    taken_at: toLocalInput(new Date(reading.taken_at)),
    previous_final_value: reading.previous_final_value === null ? "" : String(reading.previous_final_value),
    note: reading.note ?? "",
  };
  const form = useForm<EditInput>({ resolver: zodResolver(editSchema), defaultValues: initial });
  const { errors, isSubmitting, dirtyFields } = form.formState;
  const unit = formatUnit(meter.unit);

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    const changes: ReadingUpdate = {};
    if (dirtyFields.value) changes.value = decimalNumber(values.value);
    if (dirtyFields.taken_at) changes.taken_at = takenAtBody(values.taken_at);
    if (replacement && dirtyFields.previous_final_value && values.previous_final_value !== "")
      changes.previous_final_value = decimalNumber(values.previous_final_value);
    if (dirtyFields.note) changes.note = values.note.trim() === "" ? null : values.note.trim();
    try {
      // The reading keeps its photos; new ones are added after them.
      const body = photos.withIds(changes, reading.attachment_ids);
      if (Object.keys(body).length > 0) await save.mutateAsync({ id: reading.id, body });
      photos.clear();
      onSaved();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) form.setError("taken_at", { type: "server", message: error.message });
      else {
        const { fields, form: message } = readingErrors(error, {
          value: replacement ? "The new meter's start value" : "The reading",
          taken_at: "The time",
          previous_final_value: "The old meter's final value",
          note: "The note",
        });
        for (const [field, text] of Object.entries(fields)) form.setError(field as keyof EditInput, { type: "server", message: text });
        setFormError(message);
      }
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <FormError message={formError} />
      {replacement && (
        <TextField
          label="Old meter's final value"
          inputMode="decimal"
          autoComplete="off"
          suffix={unit}
          error={errors.previous_final_value?.message}
          {...form.register("previous_final_value")}
        />
      )}
      <TextField
        label={replacement ? "New meter's start value" : "Reading"}
        inputMode="decimal"
        autoComplete="off"
        suffix={unit}
        error={errors.value?.message}
        {...form.register("value")}
      />
      <TextField label="Taken at" type="datetime-local" error={errors.taken_at?.message} {...form.register("taken_at")} />
      <TextAreaField label="Note (optional)" rows={2} error={errors.note?.message} {...form.register("note")} />
      <PhotoField label="Photo of the register" subject="the register" {...photos.field} />
      <div className="flex flex-wrap justify-end gap-2 pt-1">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={isSubmitting} disabled={photos.uploading}>
          Save changes
        </Button>
      </div>
    </form>
  );
}
