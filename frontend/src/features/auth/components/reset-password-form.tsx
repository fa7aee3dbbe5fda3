"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, NewPasswordFields } from "@/components/ui/field";
import { emailOfResetToken, resetPassword, resetSchema, type ResetInput } from "@/features/auth/api/auth-requests";
import { applyApiErrors } from "@/lib/forms";

export function ResetPasswordForm() {
  const token = useSearchParams().get("token");
  const router = useRouter();
  const [formError, setFormError] = useState<string>();
  const form = useForm<ResetInput>({
    resolver: zodResolver(resetSchema(token ? emailOfResetToken(token) : null)),
    defaultValues: { password: "", confirm: "" },
  });
  const { errors, isSubmitting } = form.formState;

  if (!token) {
    return (
      <div role="alert" className="space-y-3 text-sm">
        <p>This link has no token. Ask for a new one.</p>
        <Link className="text-indigo-600 underline dark:text-indigo-400" href="/forgot-password">
          Reset your password
        </Link>
      </div>
    );
  }

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      await resetPassword(token, values.password);
      router.replace("/login?reset=1");
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["password"]));
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <NewPasswordFields
        password={form.register("password")}
        confirm={form.register("confirm")}
        errors={{ password: errors.password?.message, confirm: errors.confirm?.message }}
      />
      <Button type="submit" className="w-full" busy={isSubmitting}>
        Set the new password
      </Button>
    </form>
  );
}
