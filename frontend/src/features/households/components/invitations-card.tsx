"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, SelectField, TextField } from "@/components/ui/field";
import { Card, ErrorState, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import {
  invitationSchema,
  invitationsQuery,
  ROLE_LABELS,
  ROLES,
  useInvite,
  useRevokeInvitation,
  type Household,
  type InvitationInput,
} from "@/features/households/api/households";
import { applyApiErrors } from "@/lib/forms";

/** The owner invites by e-mail (the link is valid 7 days, once) and sees the pending invitations. */
export function InvitationsCard({ household }: { household: Household }) {
  const invitations = useQuery(invitationsQuery(household.id));
  const invite = useInvite(household.id);
  const revoke = useRevokeInvitation(household.id);
  const toast = useToast();
  const [formError, setFormError] = useState<string>();
  const form = useForm<InvitationInput>({ resolver: zodResolver(invitationSchema), defaultValues: { email: "", role: "editor" } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      const sent = await invite.mutateAsync(values);
      form.reset({ email: "", role: values.role });
      toast(`Invitation sent to ${sent.email}.`, "success");
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["email", "role"]));
    }
  });

  return (
    <Card title="Invitations">
      <form onSubmit={submit} noValidate className="mb-4 grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
        <div className="sm:col-span-3">
          <FormError message={formError} />
        </div>
        <TextField label="E-mail to invite" type="email" autoComplete="off" error={errors.email?.message} {...form.register("email")} />
        <SelectField label="Role" error={errors.role?.message} {...form.register("role")}>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </SelectField>
        <Button type="submit" busy={isSubmitting}>
          Invite
        </Button>
      </form>
      {invitations.error && !invitations.data ? (
        <ErrorState error={invitations.error} onRetry={() => void invitations.refetch()} />
      ) : !invitations.data ? (
        <Spinner label="Loading invitations" />
      ) : invitations.data.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">No pending invitations.</p>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="invitations">
          {invitations.data.map((invitation) => (
            <li key={invitation.id} className="flex flex-wrap items-center gap-2 py-2">
              <div className="min-w-0 flex-1">
                <p className="break-all">{invitation.email}</p>
                <p className="text-sm text-slate-500 dark:text-slate-400">
                  {ROLE_LABELS[invitation.role]} · expires {invitation.expires_at.slice(0, 10)}
                </p>
              </div>
              <Button
                variant="ghost"
                aria-label={`Revoke the invitation of ${invitation.email}`}
                onClick={() => revoke.mutate(invitation.id)}
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
