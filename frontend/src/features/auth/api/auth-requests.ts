import { z } from "zod";

import { api } from "@/lib/api-client";
import type { components } from "@/lib/api-types";
import { emailSchema, passwordSchema } from "@/lib/forms";

type UserEnvelope = components["schemas"]["UserEnvelope"];
type Accepted = components["schemas"]["Accepted"];

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
  .refine((data) => data.password.trim().toLowerCase() !== data.email.trim().toLowerCase(), {
    path: ["password"],
    message: "Password must not be the e-mail address",
  })
  .refine((data) => data.password === data.confirm, { path: ["confirm"], message: "The passwords do not match" });
export type RegisterInput = z.infer<typeof registerSchema>;

export const emailOnlySchema = z.object({ email: emailSchema });
export type EmailOnlyInput = z.infer<typeof emailOnlySchema>;

export const resetSchema = z
  .object({ password: passwordSchema, confirm: z.string() })
  .refine((data) => data.password === data.confirm, { path: ["confirm"], message: "The passwords do not match" });
export type ResetInput = z.infer<typeof resetSchema>;

export async function register(input: RegisterInput) {
  const { data } = await api.post<UserEnvelope>("/api/auth/register", { name: input.name, email: input.email, password: input.password }, { skipAuthRefresh: true });
  return data.user;
}

export async function verifyEmail(token: string) {
  const { data } = await api.post<UserEnvelope>("/api/auth/verify-email", { token }, { skipAuthRefresh: true, silent: true });
  return data.user;
}

export async function resendVerification(email: string) {
  const { data } = await api.post<Accepted>("/api/auth/resend-verification", { email }, { skipAuthRefresh: true });
  return data;
}

export async function forgotPassword(email: string) {
  const { data } = await api.post<Accepted>("/api/auth/forgot-password", { email }, { skipAuthRefresh: true });
  return data;
}

export async function resetPassword(token: string, password: string) {
  await api.post("/api/auth/reset-password", { token, password }, { skipAuthRefresh: true });
}
