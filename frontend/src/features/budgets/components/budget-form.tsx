"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, SelectField, TextField } from "@/components/ui/field";
import { budgetFieldErrors, budgetInput, budgetSchema, useSaveBudget, type Budget, type BudgetInput } from "@/features/budgets/api/budgets";
import { formatUnit } from "@/lib/format";
import { METER_TYPES, TYPE_LABELS, UNITS, type Meter } from "@/lib/meters";

/** Add or edit a budget: on a meter or a type, per month or billing period, in consumption or money. */
export function BudgetForm({
  budget,
  meters,
  currency,
  onSaved,
  onCancel,
}: {
  budget?: Budget;
  meters: Meter[];
  currency: string;
  onSaved(): void;
  onCancel(): void;
}) {
  const [formError, setFormError] = useState<string>();
  const choices = meters.filter((meter) => !meter.archived || meter.id === budget?.meter_id);
  const initial = budgetInput(budget);
  const form = useForm<BudgetInput>({
    resolver: zodResolver(budgetSchema),
    defaultValues: budget ? initial : { ...initial, meter_id: String(choices[0]?.id ?? "") },
  });
  const { errors, isSubmitting } = form.formState;
  const save = useSaveBudget();
  const [scope, meterId, type, limitKind] = form.watch(["scope", "meter_id", "type", "limit_kind"]);
  const meter = meters.find((item) => String(item.id) === meterId);
  const unit = scope === "meter" ? meter?.unit : type !== "other" ? UNITS[type as keyof typeof UNITS]?.[0] : undefined;

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      await save.mutateAsync({ budget, input: values });
      onSaved();
    } catch (error) {
      const { fields, rest } = budgetFieldErrors(error);
      for (const [field, message] of Object.entries(fields)) form.setError(field as keyof BudgetInput, { type: "server", message });
      setFormError(rest);
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-3" aria-label={budget ? "Edit budget" : "New budget"}>
      <FormError message={formError} />
      <TextField label="Name" autoComplete="off" error={errors.name?.message} {...form.register("name")} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <SelectField label="Budget on" error={errors.scope?.message} {...form.register("scope")}>
          <option value="meter">One meter</option>
          <option value="type">Every meter of a type</option>
        </SelectField>
        {scope === "meter" ? (
          <SelectField label="Meter" error={errors.meter_id?.message} {...form.register("meter_id")}>
            {choices.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </SelectField>
        ) : (
          <SelectField label="Type" error={errors.type?.message} {...form.register("type")}>
            {METER_TYPES.map((item) => (
              <option key={item} value={item}>
                {TYPE_LABELS[item]}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      <SelectField
        label="Period"
        hint="A billing period starts on the household's billing day."
        error={errors.period?.message}
        {...form.register("period")}
      >
        <option value="month">Calendar month</option>
        <option value="billing">Billing period</option>
      </SelectField>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <SelectField label="Limit in" error={errors.limit_kind?.message} {...form.register("limit_kind")}>
          <option value="amount">Consumption</option>
          <option value="cost">Cost</option>
        </SelectField>
        <TextField
          label="Limit"
          inputMode="decimal"
          autoComplete="off"
          suffix={limitKind === "cost" ? currency : unit ? formatUnit(unit) : undefined}
          error={errors.limit?.message}
          {...form.register("limit")}
        />
      </div>
      <TextField
        label="Alert thresholds (%)"
        autoComplete="off"
        hint="Percentages of the limit from 1 to 500, separated by commas: an alert is raised once when each is crossed."
        error={errors.thresholds?.message}
        {...form.register("thresholds")}
      />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={isSubmitting}>
          {budget ? "Save" : "Add budget"}
        </Button>
      </div>
    </form>
  );
}
