import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { client, type Schema } from "@/lib/api-client";

export type TwoFactorSetup = Schema<"TwoFactorSetup">;
export type PersonalToken = Schema<"TokenOut">;
export type PersonalTokenCreated = Schema<"TokenCreated">;
export type AuditEntry = Schema<"AuditOut">;
export type AuditPage = Schema<"AuditPage">;

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
    queryFn: async ({ signal }) => (await client.GET("/api/auth/tokens", { signal, silent: true })).items,
  });

export const auditQuery = (page: number) =>
  queryOptions({
    queryKey: securityKeys.audit(page),
    queryFn: ({ signal }) => client.GET("/api/auth/audit", { query: { page, per_page: AUDIT_PER_PAGE }, signal, silent: true }),
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
    mutationFn: (values: TokenValues) =>
      client.POST("/api/auth/tokens", {
        body: {
          name: values.name,
          scopes: values.scopes,
          expires_in_days: values.expires_in_days,
          // None chosen: every household of the user (the API's default).
          ...(values.household_ids.length ? { household_ids: values.household_ids.map(Number) } : {}),
        },
        silent: true,
      }),
    onSuccess: invalidate,
  });
}

export function useRevokeToken() {
  const invalidate = useInvalidate(securityKeys.all);
  return useMutation({
    mutationFn: (id: number) => client.DELETE("/api/auth/tokens/{token_id}", { path: { token_id: id }, silent: true }),
    onSuccess: invalidate,
  });
}

/** A change of the two-factor setting shows in the audit log. */
export function useInvalidateAudit() {
  return useInvalidate(["security", "audit"]);
}
