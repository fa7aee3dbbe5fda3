import { z } from "zod";

import { client, type Schema } from "@/lib/api-client";
import { notTheEmail, passwordSchema } from "@/lib/forms";

export const profileSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
  currency: z.string().regex(/^[A-Z]{3}$/, "Use a three-letter ISO 4217 code such as USD or EUR"),
  timezone: z.string().min(1, "Choose a time zone"),
});
export type ProfileInput = z.infer<typeof profileSchema>;

/** The new password, checked against the account's e-mail address as the API does. */
export function passwordChangeSchema(email: string) {
  return z
    .object({ current_password: z.string().min(1, "Enter your current password"), password: passwordSchema, confirm: z.string() })
    .refine((data) => notTheEmail(data.password, email), { path: ["password"], message: "Password must not be the e-mail address" })
    .refine((data) => data.password === data.confirm, { path: ["confirm"], message: "The passwords do not match" });
}
export type PasswordChangeInput = z.infer<ReturnType<typeof passwordChangeSchema>>;

export const deleteAccountSchema = z.object({ password: z.string().min(1, "Enter your password to confirm") });
export type DeleteAccountInput = z.infer<typeof deleteAccountSchema>;

// The API lists the currencies and zones it accepts; the form's lists are checked by the API too.
type Preferences = Schema<"PreferencesUpdate">;

// The forms show every failure themselves (on a field, or above the form): the requests are silent.
export function updateProfile(input: ProfileInput) {
  return client.PATCH("/api/auth/me", {
    body: {
      name: input.name,
      preferences: {
        currency: input.currency as Preferences["currency"],
        timezone: input.timezone as Preferences["timezone"],
      },
    },
    silent: true,
  });
}

export async function changePassword(input: PasswordChangeInput): Promise<void> {
  await client.POST("/api/auth/me/password", {
    body: { current_password: input.current_password, password: input.password },
    silent: true,
  });
}

export async function deleteAccount(password: string): Promise<void> {
  await client.DELETE("/api/auth/me", { body: { password }, silent: true });
}

/** The user's e-mail choice per notification kind (PRODUCT.md §12); a kind left out is on. */
export type NotifyEmail = Record<string, boolean>;

export function notifyEmailOf(user: Schema<"UserOut">): NotifyEmail {
  return user.preferences.notify_email ?? {};
}

/** The kinds the API lets a user choose for (its enum). */
export type NotifyKind = keyof NonNullable<Preferences["notify_email"]>;

/** Turns the e-mail of one kind of notification on or off; the API answers the whole user. */
export function updateNotifyEmail(kind: NotifyKind, on: boolean) {
  return client.PATCH("/api/auth/me", { body: { preferences: { notify_email: { [kind]: on } } }, silent: true });
}
