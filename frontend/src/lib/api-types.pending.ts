/**
 * The households endpoints of PRODUCT.md §9, typed from the contract until the API's OpenAPI
 * document has them. Once `make openapi` generates these paths, this file goes (TypeScript
 * refuses the same path declared twice with another shape, so the overlap cannot go unnoticed)
 * and the aliases in `features/households/api` point at the generated schemas.
 */
import type { components, paths as GeneratedPaths } from "./api-types";

type Role = "owner" | "editor" | "viewer";
type Json<T> = { content: { "application/json": T } };
type Answer<Status extends number, T> = { [S in Status]: { headers: { [name: string]: unknown } } & Json<T> };
type NoContent = { 204: { headers: { [name: string]: unknown }; content?: never } };
type Params<Path, Query = never> = { query?: Query; header?: never; path: Path; cookie?: never };
type NoPath<Query = never> = { query?: Query; header?: never; path?: never; cookie?: never };
type AllNever = { get?: never; put?: never; post?: never; delete?: never; options?: never; head?: never; patch?: never; trace?: never };
/** A path item: the methods given, every other one ``never`` (as openapi-typescript writes them). */
type Item<T> = Omit<AllNever, keyof T> & { parameters: NoPath } & T;

export interface PendingSchemas {
  HouseholdOut: {
    id: number;
    name: string;
    timezone: string;
    currency: string;
    billing_day: number;
    role: Role;
    member_count: number;
    created_at: string;
    updated_at: string;
  };
  HouseholdList: { items: PendingSchemas["HouseholdOut"][] };
  HouseholdCreate: { name: string; timezone?: string | null; currency?: string | null; billing_day?: number | null };
  HouseholdUpdate: { name?: string; timezone?: string; currency?: string; billing_day?: number };
  MemberOut: { user_id: number; name: string; email: string; role: Role; joined_at: string };
  MemberList: { items: PendingSchemas["MemberOut"][] };
  MemberUpdate: { role: Role };
  InvitationCreate: { email: string; role: Role };
  InvitationOut: { id: number; email: string; role: Role; created_at: string; expires_at: string };
  InvitationList: { items: PendingSchemas["InvitationOut"][] };
  InvitationAccept: { token: string };
  ShareLinkCreate: { label: string; expires_at?: string | null };
  ShareLinkOut: { id: number; label: string; created_at: string; expires_at: string | null };
  ShareLinkCreated: PendingSchemas["ShareLinkOut"] & { token: string; url: string };
  ShareLinkList: { items: PendingSchemas["ShareLinkOut"][] };
  SharedHousehold: {
    household: { name: string; timezone: string; currency: string };
    meters: { id: number; name: string; type: "electricity" | "water" | "gas" | "other"; unit: string }[];
  };
}

type S = PendingSchemas;
type HouseholdPath = { household_id: number };
type SummaryQuery = NonNullable<NonNullable<GeneratedPaths["/api/analytics/summary"]["get"]>["parameters"]["query"]>;
type TimeseriesQuery = NonNullable<NonNullable<GeneratedPaths["/api/analytics/timeseries"]["get"]>["parameters"]["query"]>;

declare module "./api-types" {
  interface paths {
    "/api/households": Item<{
      get: { parameters: NoPath; requestBody?: never; responses: Answer<200, S["HouseholdList"]> };
      post: { parameters: NoPath; requestBody: Json<S["HouseholdCreate"]>; responses: Answer<201, S["HouseholdOut"]> };
    }>;
    "/api/households/{household_id}": Item<{
      get: { parameters: Params<HouseholdPath>; requestBody?: never; responses: Answer<200, S["HouseholdOut"]> };
      patch: { parameters: Params<HouseholdPath>; requestBody: Json<S["HouseholdUpdate"]>; responses: Answer<200, S["HouseholdOut"]> };
      delete: { parameters: Params<HouseholdPath, { confirm: string }>; requestBody?: never; responses: NoContent };
    }>;
    "/api/households/{household_id}/members": Item<{
      get: { parameters: Params<HouseholdPath>; requestBody?: never; responses: Answer<200, S["MemberList"]> };
    }>;
    "/api/households/{household_id}/members/{user_id}": Item<{
      patch: {
        parameters: Params<HouseholdPath & { user_id: number }>;
        requestBody: Json<S["MemberUpdate"]>;
        responses: Answer<200, S["MemberOut"]>;
      };
      delete: { parameters: Params<HouseholdPath & { user_id: number }>; requestBody?: never; responses: NoContent };
    }>;
    "/api/households/{household_id}/invitations": Item<{
      get: { parameters: Params<HouseholdPath>; requestBody?: never; responses: Answer<200, S["InvitationList"]> };
      post: { parameters: Params<HouseholdPath>; requestBody: Json<S["InvitationCreate"]>; responses: Answer<201, S["InvitationOut"]> };
    }>;
    "/api/households/{household_id}/invitations/{invitation_id}": Item<{
      delete: { parameters: Params<HouseholdPath & { invitation_id: number }>; requestBody?: never; responses: NoContent };
    }>;
    "/api/invitations/accept": Item<{
      post: { parameters: NoPath; requestBody: Json<S["InvitationAccept"]>; responses: Answer<200, S["HouseholdOut"]> };
    }>;
    "/api/households/{household_id}/share-links": Item<{
      get: { parameters: Params<HouseholdPath>; requestBody?: never; responses: Answer<200, S["ShareLinkList"]> };
      post: { parameters: Params<HouseholdPath>; requestBody: Json<S["ShareLinkCreate"]>; responses: Answer<201, S["ShareLinkCreated"]> };
    }>;
    "/api/households/{household_id}/share-links/{link_id}": Item<{
      delete: { parameters: Params<HouseholdPath & { link_id: number }>; requestBody?: never; responses: NoContent };
    }>;
    "/api/shared/{token}": Item<{
      get: { parameters: Params<{ token: string }>; requestBody?: never; responses: Answer<200, S["SharedHousehold"]> };
    }>;
    "/api/shared/{token}/analytics/summary": Item<{
      get: {
        parameters: Params<{ token: string }, SummaryQuery>;
        requestBody?: never;
        responses: Answer<200, components["schemas"]["Summary"]>;
      };
    }>;
    "/api/shared/{token}/analytics/timeseries": Item<{
      get: {
        parameters: Params<{ token: string }, TimeseriesQuery>;
        requestBody?: never;
        responses: Answer<200, components["schemas"]["Timeseries"]>;
      };
    }>;
  }
}
