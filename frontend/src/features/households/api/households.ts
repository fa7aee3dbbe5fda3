import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { client, type Schema } from "@/lib/api-client";
import { householdsQuery, type Household, type HouseholdRole } from "@/lib/household";
import { queryRoots } from "@/lib/query-keys";

export { householdsQuery, type Household, type HouseholdRole };
export type Member = Schema<"MemberOut">;
export type Invitation = Schema<"InvitationOut">;
export type ShareLink = Schema<"ShareLinkOut">;
export type ShareLinkCreated = Schema<"ShareLinkCreated">;
export type SharedView = Schema<"SharedView">;

/** The form offers only the API's currencies and zones (lib/choices); the API refuses anything else with a 422 on the field. */
function householdBody(values: HouseholdValues): Schema<"HouseholdCreate"> & Schema<"HouseholdUpdate"> {
  return values as Schema<"HouseholdCreate"> & Schema<"HouseholdUpdate">;
}

export const ROLES: HouseholdRole[] = ["owner", "editor", "viewer"];
export const ROLE_LABELS: Record<HouseholdRole, string> = { owner: "Owner", editor: "Editor", viewer: "Viewer" };

export const householdKeys = {
  all: queryRoots.households,
  detail: (id: number) => [...queryRoots.households, id] as const,
  members: (id: number) => [...queryRoots.households, id, "members"] as const,
  invitations: (id: number) => [...queryRoots.households, id, "invitations"] as const,
  shareLinks: (id: number) => [...queryRoots.households, id, "share-links"] as const,
};

// The API's rules (PRODUCT.md §9): name 1–64, billing day 1–28.
export const householdSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(64, "Name must be at most 64 characters"),
  timezone: z.string().min(1, "Choose a time zone"),
  currency: z.string().regex(/^[A-Z]{3}$/, "Choose a currency"),
  billing_day: z.coerce
    .number<string>()
    .int("Billing day is a whole number")
    .min(1, "Billing day is 1 to 28")
    .max(28, "Billing day is 1 to 28"),
});
export type HouseholdInput = z.input<typeof householdSchema>;
export type HouseholdValues = z.output<typeof householdSchema>;

export const invitationSchema = z.object({
  email: z.string().trim().email("Enter an e-mail address"),
  role: z.enum(["owner", "editor", "viewer"]),
});
export type InvitationInput = z.infer<typeof invitationSchema>;

export const shareLinkSchema = z.object({
  label: z.string().trim().min(1, "Label is required").max(64, "Label must be at most 64 characters"),
  expires_on: z.union([z.literal(""), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date")]),
});
export type ShareLinkInput = z.infer<typeof shareLinkSchema>;

export const householdQuery = (id: number) =>
  queryOptions({
    queryKey: householdKeys.detail(id),
    queryFn: ({ signal }) => client.GET("/api/households/{household_id}", { path: { household_id: id }, signal, silent: true }),
  });

export const membersQuery = (id: number) =>
  queryOptions({
    queryKey: householdKeys.members(id),
    queryFn: async ({ signal }) =>
      (await client.GET("/api/households/{household_id}/members", { path: { household_id: id }, signal, silent: true })).items,
  });

export const invitationsQuery = (id: number) =>
  queryOptions({
    queryKey: householdKeys.invitations(id),
    queryFn: async ({ signal }) =>
      (await client.GET("/api/households/{household_id}/invitations", { path: { household_id: id }, signal, silent: true })).items,
  });

export const shareLinksQuery = (id: number) =>
  queryOptions({
    queryKey: householdKeys.shareLinks(id),
    queryFn: async ({ signal }) =>
      (await client.GET("/api/households/{household_id}/share-links", { path: { household_id: id }, signal, silent: true })).items,
  });

/** Every households query (the list, settings, members, invitations, links) refetches after a change. */
function useInvalidateHouseholds() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryRoots.households });
}

export function useCreateHousehold() {
  const invalidate = useInvalidateHouseholds();
  return useMutation({
    mutationFn: (values: HouseholdValues) => client.POST("/api/households", { body: householdBody(values), silent: true }),
    onSuccess: invalidate,
  });
}

export function useUpdateHousehold(id: number) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateHouseholds();
  return useMutation({
    mutationFn: (values: HouseholdValues) =>
      client.PATCH("/api/households/{household_id}", { path: { household_id: id }, body: householdBody(values), silent: true }),
    // The time zone and the currency change the analytics' periods and costs.
    onSuccess: () => Promise.all([invalidate(), queryClient.invalidateQueries({ queryKey: queryRoots.analytics })]),
  });
}

export function useDeleteHousehold(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (confirm: string) =>
      client.DELETE("/api/households/{household_id}", { path: { household_id: id }, query: { confirm }, silent: true }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: householdKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: queryRoots.households });
    },
  });
}

export function useChangeRole(id: number) {
  const invalidate = useInvalidateHouseholds();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: number; role: HouseholdRole }) =>
      client.PATCH("/api/households/{household_id}/members/{user_id}", { path: { household_id: id, user_id: userId }, body: { role } }),
    onSuccess: invalidate,
  });
}

export function useRemoveMember(id: number) {
  const invalidate = useInvalidateHouseholds();
  return useMutation({
    mutationFn: (userId: number) =>
      client.DELETE("/api/households/{household_id}/members/{user_id}", { path: { household_id: id, user_id: userId } }),
    onSuccess: invalidate,
  });
}

export function useInvite(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: InvitationInput) =>
      client.POST("/api/households/{household_id}/invitations", { path: { household_id: id }, body: input, silent: true }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: householdKeys.invitations(id) }),
  });
}

export function useRevokeInvitation(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: number) =>
      client.DELETE("/api/households/{household_id}/invitations/{invitation_id}", {
        path: { household_id: id, invitation_id: invitationId },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: householdKeys.invitations(id) }),
  });
}

/** A day picked in the form ends a link at the end of that day, UTC. */
export function toShareLinkBody(input: ShareLinkInput): Schema<"ShareLinkCreate"> {
  return { label: input.label.trim(), expires_at: input.expires_on ? `${input.expires_on}T23:59:59Z` : null };
}

export function useCreateShareLink(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ShareLinkInput) =>
      client.POST("/api/households/{household_id}/share-links", { path: { household_id: id }, body: toShareLinkBody(input), silent: true }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: householdKeys.shareLinks(id) }),
  });
}

export function useRevokeShareLink(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (linkId: number) =>
      client.DELETE("/api/households/{household_id}/share-links/{link_id}", { path: { household_id: id, link_id: linkId } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: householdKeys.shareLinks(id) }),
  });
}

export function useAcceptInvitation() {
  const invalidate = useInvalidateHouseholds();
  return useMutation({
    mutationFn: (token: string) => client.POST("/api/invitations/accept", { body: { token }, silent: true }),
    onSuccess: invalidate,
  });
}
