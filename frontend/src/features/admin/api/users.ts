import { api } from "@/lib/api-client";
import type { components } from "@/lib/api-types";

// The admin answers (PRODUCT.md §4): users as the API shows them to their owner.
export type AdminUser = components["schemas"]["UserOut"] & { last_login_at?: string | null };
export interface UserPage {
  items: AdminUser[];
  page: number;
  per_page: number;
  total: number;
  pages: number;
}

export async function listUsers(params: { q?: string; page: number; per_page: number }): Promise<UserPage> {
  const { data } = await api.get<UserPage>("/api/admin/users", { params: { ...params, q: params.q || undefined } });
  return data;
}

export async function updateUser(id: number, changes: { is_active?: boolean; role?: "user" | "admin" }): Promise<AdminUser> {
  const { data } = await api.patch<AdminUser>(`/api/admin/users/${id}`, changes);
  return data;
}

export async function deleteUser(id: number): Promise<void> {
  await api.delete(`/api/admin/users/${id}`);
}
