"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { FormError, TextField } from "@/components/ui/field";
import { Card, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { householdQuery, ROLE_LABELS, useDeleteHousehold, useUpdateHousehold, type Household } from "@/features/households/api/households";
import { ApiError } from "@/lib/api-client";

import { HouseholdForm } from "./household-form";
import { InvitationsCard } from "./invitations-card";
import { MembersCard } from "./members-card";
import { ShareLinksCard } from "./share-links-card";

/** Deleting takes the household's name typed out: it deletes every meter and record in it. */
function DeleteHousehold({ household }: { household: Household }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string>();
  const remove = useDeleteHousehold(household.id);
  const router = useRouter();
  const toast = useToast();

  const confirm = async () => {
    setError(undefined);
    try {
      await remove.mutateAsync(typed);
      toast(`${household.name} deleted.`, "success");
      router.replace("/households");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Something went wrong.");
    }
  };

  return (
    <Card title="Delete household">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        Deletes the household with all of its meters and records, for every member.
      </p>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete household
      </Button>
      <Dialog open={open} title="Delete household" onClose={() => setOpen(false)}>
        <div className="space-y-3">
          <FormError message={error} />
          <TextField
            label={`Type “${household.name}” to confirm`}
            autoComplete="off"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button variant="danger" busy={remove.isPending} disabled={typed !== household.name} onClick={confirm}>
              Delete for everyone
            </Button>
          </div>
        </div>
      </Dialog>
    </Card>
  );
}

/**
 * `/households/[id]`: settings, members, invitations, share links; what the user's role allows.
 * ``ownerCards`` (the webhooks, given by the route: features do not import each other) show to owners only.
 */
export function HouseholdDetail({ id, ownerCards }: { id: number; ownerCards?: ReactNode }) {
  const household = useQuery(householdQuery(id));
  const update = useUpdateHousehold(id);
  const toast = useToast();
  const router = useRouter();

  if (household.error && !household.data) {
    return (
      <>
        <PageHeader title="Household" />
        <ErrorState error={household.error} onRetry={household.error.status === 404 ? undefined : () => void household.refetch()} />
        <p className="mt-3 text-sm">
          <Link href="/households" className="text-indigo-600 hover:underline dark:text-indigo-400">
            All households
          </Link>
        </p>
      </>
    );
  }
  if (!household.data) return <Spinner label="Loading the household" />;
  const data = household.data;
  const isOwner = data.role === "owner";

  return (
    <>
      <PageHeader
        title={data.name}
        actions={<span className="text-sm text-slate-600 dark:text-slate-300">Your role: {ROLE_LABELS[data.role]}</span>}
      />
      <div className="space-y-4">
        <Card title="Settings">
          <HouseholdForm
            key={data.updated_at}
            initial={{ name: data.name, timezone: data.timezone, currency: data.currency, billing_day: String(data.billing_day) }}
            submitLabel="Save settings"
            readOnly={!isOwner}
            onSubmit={async (values) => {
              await update.mutateAsync(values);
              toast("Household saved.", "success");
            }}
          />
        </Card>
        <MembersCard household={data} onLeft={() => router.replace("/households")} />
        {isOwner && <InvitationsCard household={data} />}
        {isOwner && <ShareLinksCard household={data} />}
        {isOwner && ownerCards}
        {isOwner && <DeleteHousehold household={data} />}
      </div>
    </>
  );
}
