"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { FormError, TextField } from "@/components/ui/field";
import { Card, EmptyState, ErrorState, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import {
  tokenSchema,
  tokensQuery,
  useCreateToken,
  useRevokeToken,
  type PersonalToken,
  type PersonalTokenCreated,
  type TokenInput,
  type TokenValues,
} from "@/features/security/api/security";
import { formatMoment } from "@/features/security/utils/audit";
import { ApiError } from "@/lib/api-client";
import { householdsQuery, type Household } from "@/lib/household";
import { applyApiErrors } from "@/lib/forms";

import { CopyButton } from "./copy-button";

const SCOPE_HINTS = {
  read: "Read meters, records, readings, analytics, bills and exports",
  write: "Also add, change and delete them (imports and batches included)",
} as const;

const checkboxClass = "h-5 w-5 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-800";

function NewTokenForm({ households, onCreated }: { households: Household[]; onCreated(token: PersonalTokenCreated): void }) {
  const create = useCreateToken();
  const [formError, setFormError] = useState<string>();
  const form = useForm<TokenInput, unknown, TokenValues>({
    resolver: zodResolver(tokenSchema),
    defaultValues: { name: "", scopes: ["read"], household_ids: [], expires_in_days: "90" },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      onCreated(await create.mutateAsync(values));
    } catch (error) {
      let message = applyApiErrors(error, form.setError, ["name", "scopes", "household_ids", "expires_in_days"]);
      // A refused household is named by its place in the list ("household_ids.0"): show it on the list.
      const refused = error instanceof ApiError && Object.entries(error.fieldErrors).find(([field]) => field.startsWith("household_ids."));
      if (refused) {
        form.setError("household_ids", { type: "server", message: refused[1] });
        message = undefined;
      }
      setFormError(message);
    }
  });
  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="New access token">
      <FormError message={formError} />
      <TextField
        label="Name"
        hint="What uses it: “Home Assistant”, “Pi in the cellar”"
        error={errors.name?.message}
        {...form.register("name")}
      />
      <fieldset className="space-y-2" aria-describedby={errors.scopes ? "token-scopes-error" : undefined}>
        <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Scopes</legend>
        {(["read", "write"] as const).map((scope) => (
          <label key={scope} className="flex min-h-11 items-start gap-2 text-sm sm:min-h-0">
            <input type="checkbox" value={scope} className={checkboxClass} {...form.register("scopes")} />
            <span>
              <span className="font-medium">{scope === "read" ? "Read" : "Write"}</span>
              <span className="block text-xs text-slate-600 dark:text-slate-300">{SCOPE_HINTS[scope]}</span>
            </span>
          </label>
        ))}
        {errors.scopes && (
          <p id="token-scopes-error" role="alert" className="text-xs text-red-600 dark:text-red-400">
            {errors.scopes.message}
          </p>
        )}
      </fieldset>
      {households.length > 1 && (
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Households</legend>
          <p className="text-xs text-slate-600 dark:text-slate-300">None ticked: all of yours, including ones you join later.</p>
          {households.map((household) => (
            <label key={household.id} className="flex min-h-11 items-center gap-2 text-sm sm:min-h-0">
              <input type="checkbox" value={String(household.id)} className={checkboxClass} {...form.register("household_ids")} />
              {household.name}
            </label>
          ))}
          {errors.household_ids && (
            <p role="alert" className="text-xs text-red-600 dark:text-red-400">
              {errors.household_ids.message}
            </p>
          )}
        </fieldset>
      )}
      <TextField
        label="Expires after (days)"
        type="number"
        inputMode="numeric"
        min={1}
        max={365}
        hint="1 to 365 days"
        error={errors.expires_in_days?.message}
        {...form.register("expires_in_days")}
      />
      <Button type="submit" busy={isSubmitting}>
        Create token
      </Button>
    </form>
  );
}

/** The new token, shown once: the API keeps only a hash of it. */
function NewTokenSecret({ token, onDone }: { token: PersonalTokenCreated; onDone(): void }) {
  return (
    <div className="space-y-3 text-sm">
      <p
        role="status"
        className="rounded-md border border-amber-300 bg-amber-50 p-3 font-medium text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50"
      >
        Copy the token “{token.name}” now: it is shown only once. Anyone who has it can act as you within its scopes, so keep it like a
        password.
      </p>
      <input
        readOnly
        aria-label="The new access token"
        data-testid="new-token"
        value={token.token}
        onFocus={(event) => event.currentTarget.select()}
        className="block w-full rounded-md border border-slate-300 bg-white px-2 py-2 font-mono text-xs text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
      />
      <div className="flex flex-wrap justify-end gap-2">
        <CopyButton text={token.token} label="Copy the token" />
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}

function householdNames(ids: number[], households: Household[] | undefined): string {
  if (!ids.length) return "All";
  return ids.map((id) => households?.find((household) => household.id === id)?.name ?? `#${id}`).join(", ");
}

function TokenRow({ token, households, onRevoke }: { token: PersonalToken; households?: Household[]; onRevoke(): void }) {
  return (
    <tr className="align-top">
      <td className="py-2 pr-3 break-words">{token.name}</td>
      <td className="py-2 pr-3 font-mono text-xs">{token.prefix}…</td>
      <td className="py-2 pr-3">{token.scopes.join(", ")}</td>
      <td className="py-2 pr-3">{householdNames(token.household_ids, households)}</td>
      <td className="py-2 pr-3 whitespace-nowrap">{formatMoment(token.created_at)}</td>
      <td className="py-2 pr-3 whitespace-nowrap">{formatMoment(token.expires_at)}</td>
      <td className="py-2 pr-3">
        {token.last_used_at ? (
          <>
            <span className="whitespace-nowrap">{formatMoment(token.last_used_at)}</span>
            {token.last_used_ip && <span className="block text-xs text-slate-600 dark:text-slate-300">from {token.last_used_ip}</span>}
          </>
        ) : (
          "Never"
        )}
      </td>
      <td className="py-2 text-right">
        <Button variant="danger-ghost" aria-label={`Revoke the token ${token.name}`} onClick={onRevoke}>
          Revoke
        </Button>
      </td>
    </tr>
  );
}

/** Personal access tokens for scripts (Home Assistant, a Raspberry Pi, curl). */
export function TokensCard() {
  const tokens = useQuery(tokensQuery());
  const households = useQuery(householdsQuery());
  const revoke = useRevokeToken();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<PersonalTokenCreated | null>(null);
  const [revoking, setRevoking] = useState<PersonalToken | null>(null);
  const close = () => {
    setCreating(false);
    setCreated(null);
  };

  return (
    <Card title="Access tokens" actions={<Button onClick={() => setCreating(true)}>New token</Button>}>
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        Scripts send a token as <code className="font-mono">Authorization: Bearer mbp_…</code>. A token cannot change your account, your
        password or these settings, and every token stops working when your password is reset or you sign out everywhere.
      </p>
      {tokens.error && !tokens.data ? (
        <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : !tokens.data ? (
        <Spinner label="Loading tokens" />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No access tokens">Create one for each script or device that sends readings.</EmptyState>
      ) : (
        <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Access tokens, scrolls sideways">
          <table className="w-full text-left text-sm" data-testid="tokens">
            <thead className="text-xs text-slate-600 uppercase dark:text-slate-300">
              <tr>
                <th scope="col" className="py-2 pr-3">
                  Name
                </th>
                <th scope="col" className="py-2 pr-3">
                  Prefix
                </th>
                <th scope="col" className="py-2 pr-3">
                  Scopes
                </th>
                <th scope="col" className="py-2 pr-3">
                  Households
                </th>
                <th scope="col" className="py-2 pr-3">
                  Created
                </th>
                <th scope="col" className="py-2 pr-3">
                  Expires
                </th>
                <th scope="col" className="py-2 pr-3">
                  Last used
                </th>
                <th scope="col" className="py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {tokens.data.map((token) => (
                <TokenRow key={token.id} token={token} households={households.data} onRevoke={() => setRevoking(token)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={creating} title={created ? "Your new token" : "New access token"} onClose={close}>
        {created ? (
          <NewTokenSecret token={created} onDone={close} />
        ) : (
          <NewTokenForm households={households.data ?? []} onCreated={setCreated} />
        )}
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this token?"
        message={
          <p>
            Scripts using “{revoking?.name}” stop working at once: their next request is refused. This cannot be undone; create a new token
            if you need one again.
          </p>
        }
        confirmLabel="Revoke"
        busy={revoke.isPending}
        onClose={() => setRevoking(null)}
        onConfirm={() => {
          if (!revoking) return;
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              toast(`Token “${revoking.name}” revoked.`, "success");
              setRevoking(null);
            },
            onError: (error) => {
              setRevoking(null);
              toast(error.message, "error");
            },
          });
        }}
      />
    </Card>
  );
}
