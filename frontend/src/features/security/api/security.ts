import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { api, client, type Schema } from "@/lib/api-client";

export type TwoFactorSetup = Schema<"TwoFactorSetup">;
export type TokenScope = "read" | "write";
export interface PersonalToken {
  id: number;
  name: string;
  scopes: TokenScope[];
  household_ids: number[];
  prefix: string;
  created_at: string;
  expires_at: string;
  last_used_at?: string | null;
  last_used_ip?: string | null;
}
export interface PersonalTokenCreated extends PersonalToken {
  token: string;
}
export interface AuditEntry {
  id: number;
  at: string;
  event: string;
  ip?: string | null;
  user_agent?: string | null;
  details?: Record<string, unknown> | null;
}
export interface AuditPage {
  items: AuditEntry[];
  page: number;
  per_page: number;
  total: number;
  pages: number;
}

/** The security page's cached queries: the user's own, in no household. */
export const securityKeys = {
  all: ["security"] as const,
  tokens: ["security", "tokens"] as const,
  audit: (page: number) => ["security", "audit", { page }] as const,
};

export const AUDIT_PER_PAGE = 20;

// The forms' rules mirror the API's: a TOTP code is 6 digits, a token lives 1 to 365 days.
export const CODE_PATTERN = /^\d{6}$/;
const code = z
  .string()
  .transform((value) => value.replace(/\s/g, ""))
  .pipe(z.string().regex(CODE_PATTERN, "Enter the 6-digit code from your app"));
const password = z.string().min(1, "Enter your password");

export const passwordOnlySchema = z.object({ password });
export type PasswordOnlyInput = z.input<typeof passwordOnlySchema>;

export const codeOnlySchema = z.object({ code });
export type CodeOnlyInput = z.input<typeof codeOnlySchema>;

export const passwordAndCodeSchema = z.object({ password, code });
export type PasswordAndCodeInput = z.input<typeof passwordAndCodeSchema>;

export const tokenSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(64, "Name must be at most 64 characters"),
  scopes: z.array(z.enum(["read", "write"])).min(1, "Choose at least one scope"),
  household_ids: z.array(z.string()),
  expires_in_days: z.coerce
    .number<string>()
    .int("Expiry is a whole number of days")
    .min(1, "Expiry is 1 to 365 days")
    .max(365, "Expiry is 1 to 365 days"),
});
export type TokenInput = z.input<typeof tokenSchema>;
export type TokenValues = z.output<typeof tokenSchema>;

// Forms show every failure themselves (on a field or above the form): the requests are silent.
export function setUpTwoFactor(password: string): Promise<TwoFactorSetup> {
  return client.POST("/api/auth/2fa/setup", { body: { password }, silent: true });
}

export async function enableTwoFactor(code: string): Promise<string[]> {
  return (await client.POST("/api/auth/2fa/enable", { body: { code }, silent: true })).recovery_codes;
}

export async function disableTwoFactor(password: string, code: string): Promise<void> {
  await client.POST("/api/auth/2fa/disable", { body: { password, code }, silent: true });
}

export async function newRecoveryCodes(password: string, code: string): Promise<string[]> {
  return (await client.POST("/api/auth/2fa/recovery-codes", { body: { password, code }, silent: true })).recovery_codes;
}

export const tokensQuery = () =>
  queryOptions({
    queryKey: securityKeys.tokens,
    queryFn: async ({ signal }) => (await api.get<{ items: PersonalToken[] }>("/api/auth/tokens", { signal, silent: true })).data.items,
  });

export const auditQuery = (page: number) =>
  queryOptions({
    queryKey: securityKeys.audit(page),
    queryFn: async ({ signal }) =>
      (await api.get<AuditPage>("/api/auth/audit", { params: { page, per_page: AUDIT_PER_PAGE }, signal, silent: true })).data,
    placeholderData: keepPreviousData,
  });

/** Every change here is also an entry of the audit log. */
function useInvalidate(...keys: (readonly unknown[])[]) {
  const queryClient = useQueryClient();
  return () => Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

export function useCreateToken() {
  const invalidate = useInvalidate(securityKeys.all);
  return useMutation({
    mutationFn: async (values: TokenValues) => {
      const body = {
        name: values.name,
        scopes: values.scopes,
        expires_in_days: values.expires_in_days,
        // None chosen: every household of the user (the API's default).
        ...(values.household_ids.length ? { household_ids: values.household_ids.map(Number) } : {}),
      };
      return (await api.post<PersonalTokenCreated>("/api/auth/tokens", body, { silent: true })).data;
    },
    onSuccess: invalidate,
  });
}

export function useRevokeToken() {
  const invalidate = useInvalidate(securityKeys.all);
  return useMutation({
    mutationFn: async (id: number) => {
      await api.delete(`/api/auth/tokens/${id}`, { silent: true });
    },
    onSuccess: invalidate,
  });
}

/** A change of the two-factor setting shows in the audit log. */
export function useInvalidateAudit() {
  return useInvalidate(["security", "audit"]);
}
