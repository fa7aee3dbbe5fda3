import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { client, type QueryOf, type Schema } from "@/lib/api-client";
import { queryRoots } from "@/lib/query-keys";

export type AdminUser = Schema<"AdminUserOut">;
export type UserPage = Schema<"UserPage">;
export type UserChanges = Schema<"AdminUserUpdate">;

export type UserSearch = QueryOf<"/api/admin/users">;

export const usersQuery = (search: UserSearch) =>
  queryOptions({
    queryKey: [...queryRoots.adminUsers, search] as const,
    queryFn: ({ signal }) => client.GET("/api/admin/users", { query: search, signal, silent: true }),
    placeholderData: keepPreviousData,
  });

function useInvalidateUsers() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryRoots.adminUsers });
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, changes }: { id: number; changes: UserChanges }) =>
      client.PATCH("/api/admin/users/{user_id}", { path: { user_id: id }, body: changes }),
    onSuccess: invalidate,
  });
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (id: number) => client.DELETE("/api/admin/users/{user_id}", { path: { user_id: id } }),
    onSuccess: invalidate,
  });
}
