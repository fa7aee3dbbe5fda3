import { z } from "zod";

import { api } from "@/lib/api-client";
import type { components } from "@/lib/api-types";
import { passwordSchema } from "@/lib/forms";

type User = components["schemas"]["UserOut"];

export const profileSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
  currency: z.string().regex(/^[A-Z]{3}$/, "Use a three-letter ISO 4217 code such as USD or EUR"),
  timezone: z.string().min(1, "Choose a time zone"),
});
export type ProfileInput = z.infer<typeof profileSchema>;

export const passwordChangeSchema = z
  .object({ current_password: z.string().min(1, "Enter your current password"), password: passwordSchema, confirm: z.string() })
  .refine((data) => data.password === data.confirm, { path: ["confirm"], message: "The passwords do not match" });
export type PasswordChangeInput = z.infer<typeof passwordChangeSchema>;

export const deleteAccountSchema = z.object({ password: z.string().min(1, "Enter your password to confirm") });
export type DeleteAccountInput = z.infer<typeof deleteAccountSchema>;

export async function updateProfile(input: ProfileInput): Promise<User> {
  const { data } = await api.patch<User>("/api/auth/me", { name: input.name, preferences: { currency: input.currency, timezone: input.timezone } });
  return data;
}

export async function changePassword(input: PasswordChangeInput): Promise<void> {
  await api.post("/api/auth/me/password", { current_password: input.current_password, password: input.password });
}

export async function deleteAccount(password: string): Promise<void> {
  await api.delete("/api/auth/me", { data: { password } });
}

export const CURRENCIES = ["USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK", "INR", "BRL", "CNY"];

export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}
