"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/field";
import { Card, ErrorState, Spinner } from "@/components/ui/states";
import {
  shareLinkSchema,
  shareLinksQuery,
  useCreateShareLink,
  useRevokeShareLink,
  type Household,
  type ShareLinkCreated,
  type ShareLinkInput,
} from "@/features/households/api/households";
import { applyApiErrors } from "@/lib/forms";

/** The new link's address, shown once: the API keeps only a hash of its token. */
function NewLink({ link, onDone }: { link: ShareLinkCreated; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link.url);
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
      <p className="font-medium">Link “{link.label}” created. Copy it now: it is shown only once.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <input
          readOnly
          aria-label="Share link address"
          data-testid="share-link-url"
          value={link.url}
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 font-mono text-xs dark:border-slate-600 dark:bg-slate-800"
        />
        <Button variant="secondary" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

/** Read-only public links to the household's dashboard (aggregates only); the owner creates and revokes them. */
export function ShareLinksCard({ household }: { household: Household }) {
  const links = useQuery(shareLinksQuery(household.id));
  const create = useCreateShareLink(household.id);
  const revoke = useRevokeShareLink(household.id);
  const [created, setCreated] = useState<ShareLinkCreated | null>(null);
  const [formError, setFormError] = useState<string>();
  const form = useForm<ShareLinkInput>({ resolver: zodResolver(shareLinkSchema), defaultValues: { label: "", expires_on: "" } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      setCreated(await create.mutateAsync(values));
      form.reset();
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["label"]));
    }
  });

  return (
    <Card title="Share links">
      {created && <NewLink link={created} onDone={() => setCreated(null)} />}
      <form onSubmit={submit} noValidate className="mb-4 grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
        <div className="sm:col-span-3">
          <FormError message={formError} />
        </div>
        <TextField label="Label" error={errors.label?.message} {...form.register("label")} />
        <TextField label="Expires on (optional)" type="date" error={errors.expires_on?.message} {...form.register("expires_on")} />
        <Button type="submit" busy={isSubmitting}>
          Create link
        </Button>
      </form>
      {links.error && !links.data ? (
        <ErrorState error={links.error} onRetry={() => void links.refetch()} />
      ) : !links.data ? (
        <Spinner label="Loading share links" />
      ) : links.data.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">No share links.</p>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="share-links">
          {links.data.map((link) => (
            <li key={link.id} className="flex flex-wrap items-center gap-2 py-2">
              <div className="min-w-0 flex-1">
                <p className="break-words">{link.label}</p>
                <p className="text-sm text-slate-500 dark:text-slate-400">
                  Created {link.created_at.slice(0, 10)} · {link.expires_at ? `expires ${link.expires_at.slice(0, 10)}` : "no expiry"}
                </p>
              </div>
              <Button
                variant="ghost"
                className="text-red-600 dark:text-red-400"
                aria-label={`Revoke the link ${link.label}`}
                onClick={() => revoke.mutate(link.id)}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
