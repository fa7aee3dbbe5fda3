"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, SelectField, TextField } from "@/components/ui/field";
import { householdSchema, type HouseholdInput, type HouseholdValues } from "@/features/households/api/households";
import { CURRENCIES, timeZones, withCurrent } from "@/lib/choices";
import { applyApiErrors } from "@/lib/forms";

const FIELDS = ["name", "timezone", "currency", "billing_day"] as const;

/** Name, time zone, currency and billing day: creating a household, or an owner changing one. */
export function HouseholdForm({
  initial,
  submitLabel,
  readOnly = false,
  onSubmit,
}: {
  initial: HouseholdInput;
  submitLabel: string;
  readOnly?: boolean;
  onSubmit(values: HouseholdValues): Promise<unknown>;
}) {
  const [formError, setFormError] = useState<string>();
  const form = useForm<HouseholdInput, unknown, HouseholdValues>({ resolver: zodResolver(householdSchema), defaultValues: initial });
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
    <form onSubmit={submit} noValidate className="grid gap-3 sm:grid-cols-2">
      <div className="sm:col-span-2">
        <FormError message={formError} />
      </div>
      <TextField label="Name" disabled={readOnly} error={errors.name?.message} {...form.register("name")} />
      <SelectField label="Time zone" disabled={readOnly} error={errors.timezone?.message} {...form.register("timezone")}>
        {withCurrent(timeZones(), initial.timezone).map((zone) => (
          <option key={zone} value={zone}>
            {zone}
          </option>
        ))}
      </SelectField>
      <SelectField label="Currency" disabled={readOnly} error={errors.currency?.message} {...form.register("currency")}>
        {withCurrent(CURRENCIES, initial.currency).map((code) => (
          <option key={code} value={code}>
            {code}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Billing day"
        type="number"
        min={1}
        max={28}
        inputMode="numeric"
        hint="The day of the month a billing period starts (1 to 28)"
        disabled={readOnly}
        error={errors.billing_day?.message}
        {...form.register("billing_day")}
      />
      {!readOnly && (
        <div className="sm:col-span-2">
          <Button type="submit" busy={isSubmitting}>
            {submitLabel}
          </Button>
        </div>
      )}
    </form>
  );
}
