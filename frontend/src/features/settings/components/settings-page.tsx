"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, NewPasswordFields, SelectField, TextField } from "@/components/ui/field";
import { Card, PageHeader } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import {
  changePassword,
  deleteAccount,
  deleteAccountSchema,
  passwordChangeSchema,
  profileSchema,
  updateProfile,
  type DeleteAccountInput,
  type PasswordChangeInput,
  type ProfileInput,
} from "@/features/settings/api/settings";
import { CURRENCIES, timeZones } from "@/features/settings/utils/choices";
import { ApiError } from "@/lib/api-client";
import { useAuth, type User } from "@/lib/auth";
import { applyApiErrors } from "@/lib/forms";

import { NotificationEmails } from "./notification-emails";

export function ProfileForm({ user, onSaved }: { user: User; onSaved(user: User): void }) {
  const toast = useToast();
  const [formError, setFormError] = useState<string>();
  // The browser's list can lack current names (Asia/Kolkata, Europe/Kyiv): keep the user's own.
  const timezone = user.preferences.timezone ?? "UTC";
  const currency = user.preferences.currency ?? "USD";
  const zones = useMemo(() => {
    const all = timeZones();
    return all.includes(timezone) ? all : [timezone, ...all];
  }, [timezone]);
  const currencies = CURRENCIES.includes(currency) ? CURRENCIES : [currency, ...CURRENCIES];
  const form = useForm<ProfileInput>({
    resolver: zodResolver(profileSchema),
    defaultValues: { name: user.name, currency, timezone },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      onSaved(await updateProfile(values));
      toast("Profile saved.", "success");
    } catch (error) {
      let message = applyApiErrors(error, form.setError, ["name", "currency", "timezone"]);
      // The API names nested fields "preferences.currency": put those on the flat fields.
      if (error instanceof ApiError) {
        for (const field of ["currency", "timezone"] as const) {
          const nested = error.fieldErrors[`preferences.${field}`];
          if (nested) {
            form.setError(field, { type: "server", message: nested });
            message = undefined;
          }
        }
      }
      setFormError(message);
    }
  });
  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <FormError message={formError} />
      <TextField label="Name" autoComplete="name" error={errors.name?.message} {...form.register("name")} />
      <p className="text-sm text-slate-600 dark:text-slate-400">E-mail: {user.email}</p>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <SelectField label="Currency" error={errors.currency?.message} {...form.register("currency")}>
          {currencies.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </SelectField>
        <SelectField label="Time zone" error={errors.timezone?.message} {...form.register("timezone")}>
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </SelectField>
      </div>
      <Button type="submit" busy={isSubmitting}>
        Save profile
      </Button>
    </form>
  );
}

export function PasswordForm({ email }: { email: string }) {
  const toast = useToast();
  const [formError, setFormError] = useState<string>();
  const schema = useMemo(() => passwordChangeSchema(email), [email]);
  const form = useForm<PasswordChangeInput>({
    resolver: zodResolver(schema),
    defaultValues: { current_password: "", password: "", confirm: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      await changePassword(values);
      form.reset();
      toast("Password changed.", "success");
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["current_password", "password"]));
    }
  });
  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <FormError message={formError} />
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        error={errors.current_password?.message}
        {...form.register("current_password")}
      />
      <NewPasswordFields
        password={form.register("password")}
        confirm={form.register("confirm")}
        errors={{ password: errors.password?.message, confirm: errors.confirm?.message }}
      />
      <Button type="submit" busy={isSubmitting}>
        Change password
      </Button>
    </form>
  );
}

export function DeleteAccountForm({ onDeleted }: { onDeleted(): void }) {
  const [formError, setFormError] = useState<string>();
  const form = useForm<DeleteAccountInput>({ resolver: zodResolver(deleteAccountSchema), defaultValues: { password: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      await deleteAccount(values.password);
      onDeleted();
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["password"]));
    }
  });
  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        This deletes your account, your meters and every record. It cannot be undone.
      </p>
      <FormError message={formError} />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...form.register("password")}
      />
      <Button type="submit" variant="danger" busy={isSubmitting}>
        Delete my account
      </Button>
    </form>
  );
}

export function SettingsPage() {
  const { user, setUser, clear } = useAuth();
  const router = useRouter();
  const toast = useToast();
  if (!user) return null;
  return (
    <>
      <PageHeader title="Settings" />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card title="Profile">
          <ProfileForm user={user} onSaved={setUser} />
        </Card>
        <Card title="Password">
          <PasswordForm email={user.email} />
        </Card>
        <Card title="E-mail notifications">
          <NotificationEmails user={user} />
        </Card>
        <Card title="Delete account">
          <DeleteAccountForm
            onDeleted={() => {
              clear();
              toast("Your account was deleted.", "success");
              router.replace("/login");
            }}
          />
        </Card>
      </div>
    </>
  );
}
