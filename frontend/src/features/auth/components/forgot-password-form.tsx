"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/field";
import { emailOnlySchema, forgotPassword, type EmailOnlyInput } from "@/features/auth/api/auth-requests";
import { applyApiErrors } from "@/lib/forms";

export function ForgotPasswordForm() {
  const [sent, setSent] = useState(false);
  const [formError, setFormError] = useState<string>();
  const form = useForm<EmailOnlyInput>({ resolver: zodResolver(emailOnlySchema), defaultValues: { email: "" } });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      await forgotPassword(values.email);
      setSent(true);
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["email"]));
    }
  });

  if (sent) {
    return (
      <div className="space-y-3 text-sm" role="status">
        <p>If the address belongs to an account, a link to choose a new password is on its way.</p>
        <Link className="text-indigo-600 underline dark:text-indigo-400" href="/login">
          Back to sign in
        </Link>
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <TextField label="E-mail" type="email" autoComplete="email" error={errors.email?.message} {...form.register("email")} />
      <Button type="submit" className="w-full" busy={isSubmitting}>
        Send the reset link
      </Button>
      <Link className="block text-sm text-indigo-600 underline dark:text-indigo-400" href="/login">
        Back to sign in
      </Link>
    </form>
  );
}
