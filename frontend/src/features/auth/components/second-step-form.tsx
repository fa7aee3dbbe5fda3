"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { Button } from "@/components/ui/button";
import { FormError, TextField } from "@/components/ui/field";
import { recoveryCodeSchema, totpCodeSchema, type RecoveryCodeInput, type TotpCodeInput } from "@/features/auth/api/auth-requests";
import { ApiError } from "@/lib/api-client";
import { useAuth, type MfaChallenge, type MfaProof } from "@/lib/auth";

/** The challenge of the first step, with the moment it stops being valid. */
export interface PendingSignIn {
  challenge: MfaChallenge;
  /** Date.now() after which the API refuses the challenge's token. */
  expiresAt: number;
}

export const STEP_EXPIRED = "That sign-in took too long. Enter your password again.";

/** The API's 401 for a challenge that expired or was used (a wrong code is a 401 too, saying so). */
function challengeGone(error: ApiError): boolean {
  return error.status === 401 && /expired|already completed|sign in again/i.test(error.message);
}

/**
 * The second step of a sign-in with two-factor sign-in on: a 6-digit code from the
 * authenticator app, or (through the link) one of the recovery codes. ``onRestart`` goes back
 * to the password with a message: the challenge expired, or the account is locked.
 */
export function SecondStepForm({
  pending,
  onSignedIn,
  onRestart,
}: {
  pending: PendingSignIn;
  onSignedIn(): void;
  onRestart(message: string): void;
}) {
  const [recovery, setRecovery] = useState(false);
  return recovery ? (
    <RecoveryForm pending={pending} onSignedIn={onSignedIn} onRestart={onRestart} onToggle={() => setRecovery(false)} />
  ) : (
    <CodeForm pending={pending} onSignedIn={onSignedIn} onRestart={onRestart} onToggle={() => setRecovery(true)} />
  );
}

interface StepProps {
  pending: PendingSignIn;
  onSignedIn(): void;
  onRestart(message: string): void;
  onToggle(): void;
}

/** Send the proof; a wrong code comes back as the field's message, anything that ends the step restarts it. */
function useSecondStep({ pending, onSignedIn, onRestart }: StepProps) {
  const { loginSecondStep } = useAuth();
  const [formError, setFormError] = useState<string>();
  const send = async (proof: MfaProof): Promise<string | undefined> => {
    setFormError(undefined);
    if (Date.now() >= pending.expiresAt) {
      onRestart(STEP_EXPIRED);
      return undefined;
    }
    try {
      await loginSecondStep(pending.challenge.mfa_token, proof);
      onSignedIn();
      return undefined;
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setFormError("Something went wrong.");
        return undefined;
      }
      if (challengeGone(error)) onRestart(STEP_EXPIRED);
      // Locked after too many wrong codes: no code works until the lock ends.
      else if (error.status === 423) onRestart(error.message);
      else if (error.status === 401) return error.message;
      else setFormError(error.fieldErrors.code ?? error.fieldErrors.recovery_code ?? error.message);
      return undefined;
    }
  };
  return { formError, send };
}

/** Back to the password (another account, or a mistyped e-mail). */
function StartAgain({ onRestart }: { onRestart(message: string): void }) {
  return (
    <button type="button" className="text-slate-700 underline dark:text-slate-200" onClick={() => onRestart("")}>
      Start again
    </button>
  );
}

function CodeForm(props: StepProps) {
  const { formError, send } = useSecondStep(props);
  const form = useForm<TotpCodeInput>({ resolver: zodResolver(totpCodeSchema), defaultValues: { code: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    const wrong = await send({ code: values.code });
    if (wrong) form.setError("code", { type: "server", message: wrong }, { shouldFocus: true });
  });
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <p className="text-sm text-slate-700 dark:text-slate-200">Enter the 6-digit code from your authenticator app.</p>
      <FormError message={formError} />
      <TextField
        label="6-digit code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9 ]*"
        autoFocus
        error={errors.code?.message}
        {...form.register("code")}
      />
      <Button type="submit" className="w-full" busy={isSubmitting}>
        Verify
      </Button>
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <button type="button" className="text-indigo-700 underline dark:text-indigo-300" onClick={props.onToggle}>
          Use a recovery code instead
        </button>
        <StartAgain onRestart={props.onRestart} />
      </div>
    </form>
  );
}

function RecoveryForm(props: StepProps) {
  const { formError, send } = useSecondStep(props);
  const form = useForm<RecoveryCodeInput>({ resolver: zodResolver(recoveryCodeSchema), defaultValues: { recovery_code: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    const wrong = await send({ recovery_code: values.recovery_code });
    if (wrong) form.setError("recovery_code", { type: "server", message: wrong }, { shouldFocus: true });
  });
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <p className="text-sm text-slate-700 dark:text-slate-200">
        Enter one of the recovery codes you saved when you turned on two-factor sign-in. Each code works once.
      </p>
      <FormError message={formError} />
      <TextField
        label="Recovery code"
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        autoFocus
        error={errors.recovery_code?.message}
        {...form.register("recovery_code")}
      />
      <Button type="submit" className="w-full" busy={isSubmitting}>
        Verify
      </Button>
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <button type="button" className="text-indigo-700 underline dark:text-indigo-300" onClick={props.onToggle}>
          Use a code from the app instead
        </button>
        <StartAgain onRestart={props.onRestart} />
      </div>
    </form>
  );
}
