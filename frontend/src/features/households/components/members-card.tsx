"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { ErrorState, Spinner, Card } from "@/components/ui/states";
import { inputClass } from "@/components/ui/field";
import {
  membersQuery,
  ROLE_LABELS,
  ROLES,
  useChangeRole,
  useRemoveMember,
  type Household,
  type Member,
} from "@/features/households/api/households";
import { useAuth } from "@/lib/auth";

/** Members with their roles: the owner changes roles and removes members; anyone may leave. */
export function MembersCard({ household, onLeft }: { household: Household; onLeft(): void }) {
  const members = useQuery(membersQuery(household.id));
  const me = useAuth().user;
  const isOwner = household.role === "owner";
  const changeRole = useChangeRole(household.id);
  const remove = useRemoveMember(household.id);
  const [removing, setRemoving] = useState<Member | null>(null);
  const leaving = removing?.user_id === me?.id;

  const confirmRemove = async () => {
    if (!removing) return;
    try {
      await remove.mutateAsync(removing.user_id);
      setRemoving(null);
      if (leaving) onLeft();
    } catch {
      // the toast shows the refusal (the last owner, the last member)
      setRemoving(null);
    }
  };

  return (
    <Card title="Members">
      {members.error && !members.data ? (
        <ErrorState error={members.error} onRetry={() => void members.refetch()} />
      ) : !members.data ? (
        <Spinner label="Loading members" />
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="members">
          {members.data.map((member) => (
            <li key={member.user_id} className="flex flex-wrap items-center gap-2 py-2">
              <div className="min-w-0 flex-1">
                <p className="font-medium break-words">
                  {member.name}
                  {member.user_id === me?.id && <span className="ml-1 text-sm text-slate-500 dark:text-slate-400">(you)</span>}
                </p>
                <p className="text-sm break-all text-slate-500 dark:text-slate-400">{member.email}</p>
              </div>
              {isOwner ? (
                <label className="text-sm">
                  <span className="sr-only">Role of {member.name}</span>
                  <select
                    className={`${inputClass} w-auto`}
                    value={member.role}
                    disabled={changeRole.isPending}
                    onChange={(event) => changeRole.mutate({ userId: member.user_id, role: event.target.value as Member["role"] })}
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {ROLE_LABELS[role]}
                      </option>
                    ))}
                  </select>
                </label>
              ) : (
                <span className="text-sm text-slate-600 dark:text-slate-300">{ROLE_LABELS[member.role]}</span>
              )}
              {(isOwner || member.user_id === me?.id) && (
                <Button
                  variant="ghost"
                  className="text-red-600 dark:text-red-400"
                  aria-label={member.user_id === me?.id ? "Leave this household" : `Remove ${member.name}`}
                  onClick={() => setRemoving(member)}
                >
                  {member.user_id === me?.id ? "Leave" : "Remove"}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={leaving ? "Leave household" : "Remove member"}
        message={
          leaving
            ? `You will no longer see ${household.name}.`
            : `${removing?.name ?? ""} will no longer see ${household.name}; their open pages stop updating at once.`
        }
        confirmLabel={leaving ? "Leave" : "Remove"}
        busy={remove.isPending}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(null)}
      />
    </Card>
  );
}
