"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { loginSchema, resendVerification, type LoginInput } from "@/features/auth/api/auth-requests";
import { ApiError } from "@/lib/api-client";
import { safeNext, useAuth, type EndReason } from "@/lib/auth";
import { applyApiErrors } from "@/lib/forms";

import { SecondStepForm, type PendingSignIn } from "./second-step-form";

/** Why the user is back on the sign-in page (`?reason=…`, set when the API ended the session). */
export const END_MESSAGES: Record<EndReason, string> = {
  deactivated: "Your account has been deactivated. Contact an administrator if you think this is a mistake.",
  revoked: "Your session was ended: you signed out everywhere, changed your password, or an administrator deactivated your account.",
  expired: "Your session expired. Sign in again.",
};

export function LoginForm() {
  const { login, status } = useAuth();
  const router = useRouter();
  const params = useSearchParams();
  const toast = useToast();
  const next = safeNext(params.get("next"));
  const reason = params.get("reason");
  const ended = reason && reason in END_MESSAGES ? END_MESSAGES[reason as EndReason] : null;
  const [formError, setFormError] = useState<string>();
  const [unverified, setUnverified] = useState<string | null>(null);
  // With two-factor sign-in on, the password opens a second step (a code) instead of a session.
  const [pending, setPending] = useState<PendingSignIn | null>(null);
  const form = useForm<LoginInput>({ resolver: zodResolver(loginSchema), defaultValues: { email: "", password: "" } });
  const { errors, isSubmitting } = form.formState;

  useEffect(() => {
    if (status === "authenticated") router.replace(next);
  }, [status, next, router]);

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    setUnverified(null);
    try {
      const result = await login(values.email, values.password);
      if ("mfa_token" in result) {
        setPending({ challenge: result, expiresAt: Date.now() + result.expires_in * 1000 });
        return;
      }
      router.replace(next);
    } catch (error) {
      if (error instanceof ApiError && error.code === "email_not_verified") setUnverified(values.email);
      // Shown once, above the form (the sign-in request is silent: no toast).
      setFormError(applyApiErrors(error, form.setError, ["email", "password"]));
    }
  });

  const resend = async () => {
    if (!unverified) return;
    try {
      await resendVerification(unverified);
      toast("If the address belongs to an account, a new verification e-mail is on its way.", "success");
    } catch {
      // the toast shows the failure
    }
  };

  if (pending) {
    return (
      <SecondStepForm
        pending={pending}
        onSignedIn={() => router.replace(next)}
        onRestart={(message) => {
          setPending(null);
          form.resetField("password");
          setFormError(message || undefined);
        }}
      />
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {params.get("verified") === "1" && (
        <p className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
          Your e-mail address is confirmed. Sign in to continue.
        </p>
      )}
      {params.get("reset") === "1" && (
        <p className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
          Your password was changed. Sign in with the new one.
        </p>
      )}
      {ended && !formError && (
        <p
          role="status"
          data-testid="session-ended"
          className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          {ended}
        </p>
      )}
      <FormError message={formError} />
      {unverified && (
        <Button variant="secondary" onClick={resend}>
          Send the verification e-mail again
        </Button>
      )}
      <TextField label="E-mail" type="email" autoComplete="email" error={errors.email?.message} {...form.register("email")} />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...form.register("password")}
      />
      <Button type="submit" className="w-full" busy={isSubmitting}>
        Sign in
      </Button>
      <div className="flex justify-between text-sm">
        <Link className="text-indigo-600 underline dark:text-indigo-400" href="/register">
          Create an account
        </Link>
        <Link className="text-indigo-600 underline dark:text-indigo-400" href="/forgot-password">
          Forgot your password?
        </Link>
      </div>
    </form>
  );
}
