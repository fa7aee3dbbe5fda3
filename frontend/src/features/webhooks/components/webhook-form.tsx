"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/field";
import {
  ALL_EVENTS,
  WEBHOOK_EVENTS,
  webhookSchema,
  type Webhook,
  type WebhookChanges,
  type WebhookInput,
} from "@/features/webhooks/api/webhooks";
import { ApiError } from "@/lib/api-client";

const checkboxClass = "h-5 w-5 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-800";

/** What the edit changes: only the fields that differ from the webhook. */
export function webhookChanges(webhook: Webhook, input: WebhookInput): WebhookChanges {
  const changes: WebhookChanges = {};
  if (input.url.trim() !== webhook.url) changes.url = input.url.trim();
  if (input.description.trim() !== webhook.description) changes.description = input.description.trim();
  const events = ALL_EVENTS.filter((event) => input.events.includes(event));
  if (events.join() !== webhook.events.join()) changes.events = events;
  if (input.enabled !== webhook.enabled) changes.enabled = input.enabled;
  return changes;
}

/** Add or edit a webhook: the receiving address, the events it gets, a description, and (editing) whether it is on. */
export function WebhookForm({
  webhook,
  onSubmit,
  onCancel,
}: {
  webhook?: Webhook;
  onSubmit(values: WebhookInput): Promise<void>;
  onCancel(): void;
}) {
  const [formError, setFormError] = useState<string>();
  const form = useForm<WebhookInput>({
    resolver: zodResolver(webhookSchema),
    defaultValues: webhook
      ? { url: webhook.url, events: webhook.events, description: webhook.description, enabled: webhook.enabled }
      : { url: "", events: [], description: "", enabled: true },
  });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      await onSubmit(values);
    } catch (error) {
      if (!(error instanceof ApiError)) return setFormError("Something went wrong.");
      let placed = false;
      for (const [path, message] of Object.entries(error.fieldErrors)) {
        const field = path.split(".")[0];
        if (field === "url" || field === "events" || field === "description") {
          if (!form.getFieldState(field).error) form.setError(field, { type: "server", message });
          placed = true;
        }
      }
      if (!placed) setFormError(error.message);
    }
  });

  const group = (title: string, events: readonly string[]) => (
    <div>
      <p className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-300">{title}</p>
      <div className="grid grid-cols-1 gap-x-3 sm:grid-cols-2">
        {events.map((event) => (
          <label key={event} className="flex min-h-11 items-center gap-2 font-mono text-xs sm:min-h-8">
            <input type="checkbox" value={event} className={checkboxClass} {...form.register("events")} />
            {event}
          </label>
        ))}
      </div>
    </div>
  );

  return (
    <form onSubmit={submit} noValidate className="space-y-3" aria-label={webhook ? "Edit webhook" : "New webhook"}>
      <FormError message={formError} />
      <TextField
        label="Payload URL"
        type="url"
        inputMode="url"
        autoComplete="off"
        placeholder="https://example.com/hooks/meterbook"
        hint="https, on a public address: each delivery is a signed POST."
        error={errors.url?.message}
        {...form.register("url")}
      />
      <TextField
        label="Description"
        autoComplete="off"
        hint="Optional"
        error={errors.description?.message}
        {...form.register("description")}
      />
      <fieldset className="space-y-2" aria-describedby={errors.events ? "webhook-events-error" : undefined}>
        <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Events</legend>
        <div className="flex gap-2">
          <Button variant="secondary" onClick={() => form.setValue("events", ALL_EVENTS, { shouldValidate: form.formState.isSubmitted })}>
            All events
          </Button>
          <Button variant="secondary" onClick={() => form.setValue("events", [], { shouldValidate: form.formState.isSubmitted })}>
            None
          </Button>
        </div>
        {group("Changes", WEBHOOK_EVENTS.changes)}
        {group("Alerts", WEBHOOK_EVENTS.alerts)}
        {errors.events && (
          <p id="webhook-events-error" role="alert" className="text-xs text-red-600 dark:text-red-400">
            {errors.events.message}
          </p>
        )}
      </fieldset>
      {webhook && (
        <label className="flex min-h-11 items-center gap-2 text-sm sm:min-h-0">
          <input type="checkbox" className={checkboxClass} {...form.register("enabled")} />
          Enabled (turning it on again resets the failure count)
        </label>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" busy={isSubmitting}>
          {webhook ? "Save" : "Add webhook"}
        </Button>
      </div>
    </form>
  );
}
