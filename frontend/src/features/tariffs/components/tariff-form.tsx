"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/field";
import {
  tariffBody,
  tariffSchema,
  useApplyTariff,
  useTariffDryRun,
  type Tariff,
  type TariffChange,
  type TariffDryRun,
  type TariffInput,
} from "@/features/tariffs/api/tariffs";
import { ApiError } from "@/lib/api-client";
import { applyApiErrors } from "@/lib/forms";
import { formatUnit } from "@/lib/format";

import { DryRunSummary } from "./dry-run-summary";

const FIELDS = ["valid_from", "unit_price", "standing_charge", "tax_pct"] as const;

/**
 * Add or edit a tariff version in two steps: "Review" asks the API what the change does to past
 * costs (a dry run, nothing saved) and shows it; "Save tariff" then saves it. Changing a field
 * after the review asks again.
 */
export function TariffForm({
  meterId,
  unit,
  currency,
  today,
  tariff,
  onSaved,
  onCancel,
}: {
  meterId: number;
  unit: string;
  currency: string;
  today: string;
  tariff?: Tariff;
  onSaved(): void;
  onCancel(): void;
}) {
  const [formError, setFormError] = useState<string>();
  const [preview, setPreview] = useState<{ change: TariffChange; result: TariffDryRun } | null>(null);
  const form = useForm<TariffInput>({
    resolver: zodResolver(tariffSchema),
    defaultValues: tariff
      ? {
          valid_from: tariff.valid_from,
          unit_price: String(tariff.unit_price),
          standing_charge: String(tariff.standing_charge),
          tax_pct: String(tariff.tax_pct),
        }
      : { valid_from: today, unit_price: "", standing_charge: "0", tax_pct: "0" },
  });
  const { errors, isSubmitting } = form.formState;
  const dryRun = useTariffDryRun();
  const apply = useApplyTariff();

  const fail = (error: unknown) => {
    setPreview(null);
    if (error instanceof ApiError && error.status === 409) form.setError("valid_from", { type: "server", message: error.message });
    else setFormError(applyApiErrors(error, form.setError, FIELDS));
  };

  const review = form.handleSubmit(async (values) => {
    setFormError(undefined);
    const body = tariffBody(values);
    const change: TariffChange = tariff ? { kind: "update", meterId, id: tariff.id, body } : { kind: "create", meterId, body };
    try {
      setPreview({ change, result: await dryRun.mutateAsync(change) });
    } catch (error) {
      fail(error);
    }
  });

  const save = async () => {
    if (!preview) return;
    try {
      await apply.mutateAsync(preview.change);
      onSaved();
    } catch (error) {
      fail(error);
    }
  };

  const changed = () => {
    setPreview(null);
    setFormError(undefined);
  };
  const field = (name: (typeof FIELDS)[number]) =>
    form.register(name, {
      onChange: () => {
        if (errors[name]?.type === "server") form.clearErrors(name);
        changed();
      },
    });

  return (
    <form onSubmit={review} noValidate className="space-y-3">
      <FormError message={formError} />
      <TextField label="Valid from" type="date" error={errors.valid_from?.message} {...field("valid_from")} />
      <TextField
        label="Unit price"
        inputMode="decimal"
        hint={`${currency} per ${formatUnit(unit)}, up to 6 decimals`}
        suffix={`/${formatUnit(unit)}`}
        error={errors.unit_price?.message}
        {...field("unit_price")}
      />
      <TextField
        label="Standing charge"
        inputMode="decimal"
        hint={`${currency} per day, charged on every day the tariff applies`}
        suffix="/day"
        error={errors.standing_charge?.message}
        {...field("standing_charge")}
      />
      <TextField label="Tax" inputMode="decimal" suffix="%" error={errors.tax_pct?.message} {...field("tax_pct")} />
      {preview && <DryRunSummary result={preview.result} currency={currency} />}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        {preview ? (
          <Button busy={apply.isPending} onClick={save}>
            Save tariff
          </Button>
        ) : (
          <Button type="submit" busy={isSubmitting}>
            Review
          </Button>
        )}
      </div>
    </form>
  );
}
