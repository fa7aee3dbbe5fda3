"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm, type UseFormRegisterReturn } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/field";
import { Card } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import {
  codeOnlySchema,
  disableTwoFactor,
  enableTwoFactor,
  newRecoveryCodes,
  passwordAndCodeSchema,
  passwordOnlySchema,
  setUpTwoFactor,
  useInvalidateAudit,
  type CodeOnlyInput,
  type PasswordAndCodeInput,
  type PasswordOnlyInput,
  type TwoFactorSetup,
} from "@/features/security/api/security";
import { useAuth } from "@/lib/auth";
import { applyApiErrors } from "@/lib/forms";

import { CopyButton } from "./copy-button";
import { QrCode } from "./qr-code";
import { RecoveryCodesPanel } from "./recovery-codes";

type Step =
  | { name: "idle" }
  | { name: "password" }
  | { name: "confirm"; setup: TwoFactorSetup }
  | { name: "codes"; codes: string[] }
  | { name: "disable" }
  | { name: "regenerate" };

/** The 6-digit code field: numeric keyboard, the code offered by the phone's one-time-code autofill. */
export function CodeField({ error, label = "6-digit code", ...props }: { error?: string; label?: string } & UseFormRegisterReturn) {
  return <TextField label={label} inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]*" error={error} {...props} />;
}

/** The secret in groups of four, easier to type into an app by hand. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

function PasswordStep({ onSetup, onCancel }: { onSetup(setup: TwoFactorSetup): void; onCancel(): void }) {
  const [formError, setFormError] = useState<string>();
  const form = useForm<PasswordOnlyInput>({ resolver: zodResolver(passwordOnlySchema), defaultValues: { password: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      onSetup(await setUpTwoFactor(values.password));
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["password"]));
    }
  });
  return (
    <form onSubmit={submit} noValidate className="space-y-3" aria-label="Set up two-factor sign-in">
      <p className="text-sm text-slate-600 dark:text-slate-300">Enter your password to start.</p>
      <FormError message={formError} />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...form.register("password")}
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" busy={isSubmitting}>
          Continue
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function ConfirmStep({ setup, onEnabled, onCancel }: { setup: TwoFactorSetup; onEnabled(codes: string[]): void; onCancel(): void }) {
  const [formError, setFormError] = useState<string>();
  const form = useForm<CodeOnlyInput>({ resolver: zodResolver(codeOnlySchema), defaultValues: { code: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      onEnabled(await enableTwoFactor(values.code));
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["code"]));
    }
  });
  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-700 dark:text-slate-200">
        <li>Scan this QR code with an authenticator app (Aegis, Google Authenticator, 1Password, Bitwarden …).</li>
        <li>Enter the 6-digit code the app shows.</li>
      </ol>
      <div className="flex flex-wrap items-start gap-4">
        <QrCode text={setup.otpauth_uri} label="QR code to scan with an authenticator app" />
        <div className="min-w-0 flex-1 space-y-2 text-sm">
          <p className="text-slate-700 dark:text-slate-200">Cannot scan? Type this key into the app instead:</p>
          <p data-testid="totp-secret" className="font-mono break-all text-slate-900 dark:text-slate-50">
            {grouped(setup.secret)}
          </p>
          <CopyButton text={setup.secret} label="Copy the key" />
        </div>
      </div>
      <form onSubmit={submit} noValidate className="space-y-3" aria-label="Confirm two-factor sign-in">
        <FormError message={formError} />
        <CodeField error={errors.code?.message} {...form.register("code")} />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" busy={isSubmitting}>
            Turn on
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </div>
  );
}

/** Password and a current code: what turning two-factor sign-in off and new recovery codes ask for. */
function PasswordAndCodeForm({
  label,
  submitLabel,
  danger,
  action,
  onDone,
  onCancel,
}: {
  label: string;
  submitLabel: string;
  danger?: boolean;
  action(values: { password: string; code: string }): Promise<string[] | void>;
  onDone(result: string[] | void): void;
  onCancel(): void;
}) {
  const [formError, setFormError] = useState<string>();
  const form = useForm<PasswordAndCodeInput>({ resolver: zodResolver(passwordAndCodeSchema), defaultValues: { password: "", code: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(undefined);
    try {
      onDone(await action(values));
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ["password", "code"]));
    }
  });
  return (
    <form onSubmit={submit} noValidate className="space-y-3" aria-label={label}>
      <FormError message={formError} />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...form.register("password")}
      />
      <CodeField label="6-digit code from your app" error={errors.code?.message} {...form.register("code")} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant={danger ? "danger" : "primary"} busy={isSubmitting}>
          {submitLabel}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

export function TwoFactorCard() {
  const { user, setUser } = useAuth();
  const toast = useToast();
  const invalidateAudit = useInvalidateAudit();
  const [step, setStep] = useState<Step>({ name: "idle" });
  if (!user) return null;
  const enabled = user.two_factor_enabled === true;
  const idle = () => setStep({ name: "idle" });
  const setEnabled = (on: boolean) => {
    setUser({ ...user, two_factor_enabled: on });
    void invalidateAudit();
  };

  return (
    <Card title="Two-factor sign-in">
      <div className="space-y-4">
        <p className="text-sm text-slate-700 dark:text-slate-200" data-testid="two-factor-status">
          {enabled
            ? "On: signing in asks for a code from your authenticator app after the password."
            : "Off: signing in asks for your password only. Add a code from an authenticator app on your phone."}
        </p>
        {step.name === "codes" && <RecoveryCodesPanel codes={step.codes} email={user.email} onDone={idle} />}
        {step.name === "idle" &&
          (enabled ? (
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" onClick={() => setStep({ name: "regenerate" })}>
                New recovery codes
              </Button>
              <Button variant="danger" onClick={() => setStep({ name: "disable" })}>
                Turn off
              </Button>
            </div>
          ) : (
            <Button onClick={() => setStep({ name: "password" })}>Set up two-factor sign-in</Button>
          ))}
        {step.name === "password" && <PasswordStep onSetup={(setup) => setStep({ name: "confirm", setup })} onCancel={idle} />}
        {step.name === "confirm" && (
          <ConfirmStep
            setup={step.setup}
            onCancel={idle}
            onEnabled={(codes) => {
              setEnabled(true);
              setStep({ name: "codes", codes });
            }}
          />
        )}
        {step.name === "disable" && (
          <PasswordAndCodeForm
            label="Turn off two-factor sign-in"
            submitLabel="Turn off two-factor sign-in"
            danger
            action={({ password, code }) => disableTwoFactor(password, code)}
            onCancel={idle}
            onDone={() => {
              setEnabled(false);
              idle();
              toast("Two-factor sign-in is off.", "success");
            }}
          />
        )}
        {step.name === "regenerate" && (
          <>
            <p className="text-sm text-slate-700 dark:text-slate-200">The codes you have now stop working.</p>
            <PasswordAndCodeForm
              label="New recovery codes"
              submitLabel="Make new recovery codes"
              action={({ password, code }) => newRecoveryCodes(password, code)}
              onCancel={idle}
              onDone={(codes) => {
                void invalidateAudit();
                setStep({ name: "codes", codes: codes ?? [] });
              }}
            />
          </>
        )}
      </div>
    </Card>
  );
}
