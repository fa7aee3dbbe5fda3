import { z } from "zod";

import { client } from "@/lib/api-client";
import { emailSchema, notTheEmail, passwordSchema } from "@/lib/forms";

export const loginSchema = z.object({
  email: z.string().trim().min(1, "E-mail is required"),
  password: z.string().min(1, "Password is required"),
});
export type LoginInput = z.infer<typeof loginSchema>;

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

export const resetSchema = z
  .object({ password: passwordSchema, confirm: z.string() })
  .refine((data) => data.password === data.confirm, { path: ["confirm"], message: "The passwords do not match" });
export type ResetInput = z.infer<typeof resetSchema>;

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
