import { z } from "zod";

import { client } from "@/lib/api-client";
import { emailSchema, notTheEmail, passwordSchema } from "@/lib/forms";

export const loginSchema = z.object({
  email: z.string().trim().min(1, "E-mail is required"),
  password: z.string().min(1, "Password is required"),
});
export type LoginInput = z.infer<typeof loginSchema>;

/** The second step of a sign-in: a 6-digit code (spaces allowed, as apps show "123 456"). */
export const totpCodeSchema = z.object({
  code: z
    .string()
    .transform((value) => value.replace(/\s/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your app")),
});
export type TotpCodeInput = z.input<typeof totpCodeSchema>;

/** Or one of the recovery codes ("abcde-fghjk"; the API ignores case and dashes). */
export const recoveryCodeSchema = z.object({
  recovery_code: z.string().trim().min(1, "Enter a recovery code").max(32, "A recovery code is at most 32 characters"),
});
export type RecoveryCodeInput = z.input<typeof recoveryCodeSchema>;

export const registerSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
    email: emailSchema,
    password: passwordSchema,
    confirm: z.string(),
  })
  .refine((data) => notTheEmail(data.password, data.email), { path: ["password"], message: "Password must not be the e-mail address" })
  .refine((data) => data.password === data.confirm, { path: ["confirm"], message: "The passwords do not match" });
export type RegisterInput = z.infer<typeof registerSchema>;

export const emailOnlySchema = z.object({ email: emailSchema });
export type EmailOnlyInput = z.infer<typeof emailOnlySchema>;

/** The address a reset link was sent to: its token carries it readable (the signed part is not). */
export function emailOfResetToken(token: string): string | null {
  const head = token.split(".")[0];
  if (!head) return null; // a compressed payload starts with "."
  try {
    const json = atob(head.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (head.length % 4)) % 4));
    const email: unknown = (JSON.parse(json) as { e?: unknown }).e;
    return typeof email === "string" ? email : null;
  } catch {
    return null;
  }
}

/** The new password, checked against the link's address (when it carries one) as the API does. */
export function resetSchema(email: string | null) {
  return z
    .object({ password: passwordSchema, confirm: z.string() })
    .refine((data) => email === null || notTheEmail(data.password, email), {
      path: ["password"],
      message: "Password must not be the e-mail address",
    })
    .refine((data) => data.password === data.confirm, { path: ["confirm"], message: "The passwords do not match" });
}
export type ResetInput = z.infer<ReturnType<typeof resetSchema>>;

/** The form shows every failure itself (a taken e-mail under the e-mail field): no toast. */
export async function register(input: RegisterInput) {
  const data = await client.POST("/api/auth/register", {
    body: { name: input.name, email: input.email, password: input.password },
    skipAuthRefresh: true,
    silent: true,
  });
  return data.user;
}

export async function verifyEmail(token: string) {
  const data = await client.POST("/api/auth/verify-email", { body: { token }, skipAuthRefresh: true, silent: true });
  return data.user;
}

export function resendVerification(email: string) {
  return client.POST("/api/auth/resend-verification", { body: { email }, skipAuthRefresh: true });
}

export function forgotPassword(email: string) {
  return client.POST("/api/auth/forgot-password", { body: { email }, skipAuthRefresh: true, silent: true });
}

export async function resetPassword(token: string, password: string): Promise<void> {
  await client.POST("/api/auth/reset-password", { body: { token, password }, skipAuthRefresh: true, silent: true });
}
