"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { householdsQuery, ROLE_LABELS, useCreateHousehold } from "@/features/households/api/households";
import { useAuth } from "@/lib/auth";
import { useHousehold } from "@/lib/household";

import { HouseholdForm } from "./household-form";

/** `/households`: every household of the user with their role, and a new one. */
export function HouseholdsPage() {
  const households = useQuery(householdsQuery());
  const { current, select } = useHousehold();
  // A new household starts with the user's own time zone and currency.
  const preferences = useAuth().user?.preferences;
  const create = useCreateHousehold();
  const toast = useToast();
  const router = useRouter();
  const [creating, setCreating] = useState(false);

  return (
    <>
      <PageHeader title="Households" actions={<Button onClick={() => setCreating(true)}>New household</Button>} />
      <Card>
        {households.error && !households.data ? (
          <ErrorState error={households.error} onRetry={() => void households.refetch()} />
        ) : !households.data ? (
          <Spinner label="Loading households" />
        ) : households.data.length === 0 ? (
          <EmptyState title="No households yet">Create one to record meters, or accept an invitation.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="households-list">
            {households.data.map((household) => (
              <li key={household.id} className="flex flex-wrap items-center gap-2 py-2">
                <div className="min-w-0 flex-1">
                  <Link
                    href={`/households/${household.id}`}
                    className="font-medium break-words text-indigo-600 hover:underline dark:text-indigo-400"
                  >
                    {household.name}
                  </Link>
                  <p className="text-sm text-slate-500 dark:text-slate-400">
                    {ROLE_LABELS[household.role]} · {household.member_count} {household.member_count === 1 ? "member" : "members"} ·{" "}
                    {household.currency} · {household.timezone}
                  </p>
                </div>
                {current?.id === household.id ? (
                  <span className="text-sm text-slate-500 dark:text-slate-400">Current</span>
                ) : (
                  <Button variant="secondary" aria-label={`Switch to ${household.name}`} onClick={() => select(household.id)}>
                    Switch to
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Dialog open={creating} title="New household" onClose={() => setCreating(false)}>
        {creating && (
          <HouseholdForm
            initial={{ name: "", timezone: preferences?.timezone ?? "UTC", currency: preferences?.currency ?? "USD", billing_day: "1" }}
            submitLabel="Create household"
            onSubmit={async (values) => {
              const created = await create.mutateAsync(values);
              setCreating(false);
              toast(`${created.name} created.`, "success");
              router.push(`/households/${created.id}`);
            }}
          />
        )}
      </Dialog>
    </>
  );
}
