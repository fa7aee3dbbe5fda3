"use client";

import { useState } from "react";

import { FormError } from "@/components/ui/field";
import { notifyEmailOf, updateNotifyEmail } from "@/features/settings/api/settings";
import { ApiError } from "@/lib/api-client";
import { useAuth, type User } from "@/lib/auth";
import { NOTIFICATION_KINDS } from "@/lib/notification-kinds";

/** One switch per kind of notification: whether it is also e-mailed (on unless turned off). Each change is saved at once. */
export function NotificationEmails({ user }: { user: User }) {
  const { setUser } = useAuth();
  const [saving, setSaving] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const chosen = notifyEmailOf(user);

  const toggle = async (kind: string, on: boolean) => {
    setError(undefined);
    setSaving(kind);
    try {
      setUser(await updateNotifyEmail(kind, on));
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : "Something went wrong.");
    } finally {
      setSaving(null);
    }
  };

  return (
    <fieldset className="space-y-2">
      <legend className="mb-2 text-sm text-slate-600 dark:text-slate-300">
        Every notification shows under the bell; these are also sent to {user.email}.
      </legend>
      <FormError message={error} />
      {NOTIFICATION_KINDS.map(({ kind, label }) => {
        const on = chosen[kind] ?? true;
        return (
          <label key={kind} className="flex min-h-11 items-center justify-between gap-3 text-sm sm:min-h-0">
            <span>{label}</span>
            <input
              type="checkbox"
              role="switch"
              checked={on}
              aria-checked={on}
              disabled={saving !== null}
              data-kind={kind}
              onChange={(event) => void toggle(kind, event.target.checked)}
              className="peer sr-only"
            />
            <span
              aria-hidden
              className="relative inline-flex h-6 w-11 shrink-0 rounded-full bg-slate-400 transition peer-checked:bg-indigo-600 peer-focus-visible:ring-2 peer-focus-visible:ring-indigo-500 peer-focus-visible:ring-offset-2 peer-disabled:opacity-50 after:absolute after:top-0.5 after:left-0.5 after:h-5 after:w-5 after:rounded-full after:bg-white after:transition peer-checked:after:translate-x-5 dark:bg-slate-600 dark:peer-checked:bg-indigo-500"
            />
          </label>
        );
      })}
    </fieldset>
  );
}
