"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, NewPasswordFields, TextField } from "@/components/ui/field";
import { register as registerAccount, registerSchema, type RegisterInput } from "@/features/auth/api/auth-requests";
import { ApiError } from "@/lib/api-client";
import { applyApiErrors } from "@/lib/forms";

export function RegisterForm() {
  const [done, setDone] = useState<string | null>(null);
  const [formError, setFormError] = useState<string>();
  const form = useForm<RegisterInput>({
    resolver: zodResolver(registerSchema),
    defaultValues: { name: "", email: "", password: "", confirm: "" },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      const user = await registerAccount(values);
      setDone(user.email);
    } catch (error) {
      // A taken address is about the e-mail field: say it there, and only there.
      if (error instanceof ApiError && error.status === 409) form.setError("email", { type: "server", message: error.message });
      else setFormError(applyApiErrors(error, form.setError, ["name", "email", "password"]));
    }
  });

  if (done) {
    return (
      <div className="space-y-3 text-sm" role="status">
        <p>
          Almost there: we sent a confirmation link to <strong>{done}</strong>. Open it to activate your account.
        </p>
        <Link className="text-indigo-600 underline dark:text-indigo-400" href="/login">
          Back to sign in
        </Link>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <TextField label="Name" autoComplete="name" error={errors.name?.message} {...form.register("name")} />
      <TextField label="E-mail" type="email" autoComplete="email" error={errors.email?.message} {...form.register("email")} />
      <NewPasswordFields
        label="Password"
        password={form.register("password")}
        confirm={form.register("confirm")}
        errors={{ password: errors.password?.message, confirm: errors.confirm?.message }}
      />
      <Button type="submit" className="w-full" busy={isSubmitting}>
        Create account
      </Button>
      <p className="text-sm">
        Already registered?{" "}
        <Link className="text-indigo-600 underline dark:text-indigo-400" href="/login">
          Sign in
        </Link>
      </p>
    </form>
  );
}
