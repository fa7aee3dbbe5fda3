"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { Card, ErrorState, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import {
  ALL_EVENTS,
  useCreateWebhook,
  useDeleteWebhook,
  useTestWebhook,
  useUpdateWebhook,
  webhooksQuery,
  type Webhook,
  type WebhookCreated,
} from "@/features/webhooks/api/webhooks";

import { DeliveriesLog } from "./deliveries-log";
import { webhookChanges, WebhookForm } from "./webhook-form";

/** The new webhook's signing secret, shown once: the API never answers it again. */
function NewSecret({ webhook, onDone }: { webhook: WebhookCreated; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(webhook.secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div
      role="status"
      className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950"
    >
      <p className="font-medium">Webhook added. Copy its signing secret now: it is shown only once.</p>
      <p className="mt-1 text-slate-700 dark:text-slate-200">
        Check each delivery&apos;s <code>Meterbook-Signature</code> header with it (see the webhooks guide).
      </p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <input
          readOnly
          aria-label="Signing secret"
          data-testid="webhook-secret"
          value={webhook.secret}
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 font-mono text-xs dark:border-slate-600 dark:bg-slate-800"
        />
        <Button variant="secondary" onClick={copy}>
          {copied ? "Copied" : "Copy the secret"}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

function WebhookRow({
  householdId,
  webhook,
  onEdit,
  onDelete,
}: {
  householdId: number;
  webhook: Webhook;
  onEdit(): void;
  onDelete(): void;
}) {
  const [showLog, setShowLog] = useState(false);
  const test = useTestWebhook(householdId);
  const toast = useToast();
  const sendTest = async () => {
    try {
      await test.mutateAsync(webhook.id);
      setShowLog(true);
      toast("Test delivery queued.", "success");
    } catch {
      // the toast shows the failure
    }
  };
  const events = webhook.events.length === ALL_EVENTS.length ? "All events" : webhook.events.join(", ");
  return (
    <li data-testid={`webhook-${webhook.id}`} className="py-3">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-mono text-sm break-all">{webhook.url}</p>
          {webhook.description && <p className="text-sm text-slate-700 dark:text-slate-200">{webhook.description}</p>}
          <p className="text-xs text-slate-600 dark:text-slate-300">
            <span className={webhook.enabled ? "text-emerald-700 dark:text-emerald-400" : "font-medium text-red-700 dark:text-red-400"}>
              {webhook.enabled ? "Enabled" : "Disabled"}
            </span>
            {webhook.consecutive_failures > 0 && ` · ${webhook.consecutive_failures} failed attempts in a row`} · {events}
          </p>
        </div>
        <div className="flex flex-wrap gap-1">
          <Button variant="secondary" busy={test.isPending} disabled={!webhook.enabled} onClick={sendTest}>
            Send test
          </Button>
          <Button variant="ghost" aria-expanded={showLog} onClick={() => setShowLog((value) => !value)}>
            {showLog ? "Hide deliveries" : "Deliveries"}
          </Button>
          <Button variant="ghost" aria-label={`Edit the webhook ${webhook.url}`} onClick={onEdit}>
            Edit
          </Button>
          <Button variant="danger-ghost" aria-label={`Delete the webhook ${webhook.url}`} onClick={onDelete}>
            Delete
          </Button>
        </div>
      </div>
      {showLog && (
        <div className="mt-2">
          <DeliveriesLog householdId={householdId} webhookId={webhook.id} />
        </div>
      )}
    </li>
  );
}

/** A household's webhooks (owners only): the list, add with the secret shown once, edit, delete, send a test, the delivery log. */
export function WebhooksCard({ householdId }: { householdId: number }) {
  const webhooks = useQuery(webhooksQuery(householdId));
  const create = useCreateWebhook(householdId);
  const update = useUpdateWebhook(householdId);
  const remove = useDeleteWebhook(householdId);
  const toast = useToast();
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [created, setCreated] = useState<WebhookCreated | null>(null);

  const confirmDelete = async () => {
    if (!deleting) return;
    try {
      await remove.mutateAsync(deleting.id);
      toast("Webhook deleted.", "success");
      setDeleting(null);
    } catch {
      // the toast shows the failure
    }
  };

  return (
    <Card
      title="Webhooks"
      actions={
        <Button
          onClick={() => {
            setCreated(null);
            setEditing("new");
          }}
        >
          Add webhook
        </Button>
      }
    >
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        Each event of this household is POSTed, signed, to the addresses below; failures are retried after 1 min, 5 min, 30 min, 2 h and 12
        h.
      </p>
      {created && <NewSecret webhook={created} onDone={() => setCreated(null)} />}
      {webhooks.error && !webhooks.data ? (
        <ErrorState error={webhooks.error} onRetry={() => void webhooks.refetch()} />
      ) : !webhooks.data ? (
        <Spinner label="Loading webhooks" />
      ) : webhooks.data.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">No webhooks yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {webhooks.data.map((webhook) => (
            <WebhookRow
              key={webhook.id}
              householdId={householdId}
              webhook={webhook}
              onEdit={() => setEditing(webhook)}
              onDelete={() => setDeleting(webhook)}
            />
          ))}
        </ul>
      )}
      <Dialog open={editing !== null} title={editing === "new" ? "Add webhook" : "Edit webhook"} onClose={() => setEditing(null)}>
        {editing !== null && (
          <WebhookForm
            key={editing === "new" ? "new" : editing.id}
            webhook={editing === "new" ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSubmit={async (values) => {
              if (editing === "new") {
                const answer = await create.mutateAsync({
                  url: values.url.trim(),
                  events: ALL_EVENTS.filter((event) => values.events.includes(event)),
                  description: values.description.trim(),
                });
                setCreated(answer);
              } else {
                const changes = webhookChanges(editing, values);
                if (Object.keys(changes).length) await update.mutateAsync({ id: editing.id, changes });
                toast("Webhook saved.", "success");
              }
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this webhook?"
        message={deleting && `Deliveries to ${deleting.url} stop, and its delivery log is deleted.`}
        busy={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </Card>
  );
}
