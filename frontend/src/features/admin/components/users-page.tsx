"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { Card, EmptyState, ErrorState, PageHeader, Spinner } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { useDeleteUser, usersQuery, useUpdateUser, type AdminUser, type UserChanges } from "@/features/admin/api/users";
import { useAuth } from "@/lib/auth";

export function UsersPage() {
  const { user: me } = useAuth();
  const toast = useToast();
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [deleting, setDeleting] = useState<AdminUser | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const users = useQuery({ ...usersQuery({ q, page, per_page: 20 }), enabled: me?.role === "admin" });
  const updateUser = useUpdateUser();
  const deleteUser = useDeleteUser();

  if (me?.role !== "admin") {
    return (
      <>
        <PageHeader title="Users" />
        <EmptyState title="Administrators only">You do not have access to this page.</EmptyState>
      </>
    );
  }

  const change = async (user: AdminUser, changes: UserChanges) => {
    setBusy(user.id);
    try {
      await updateUser.mutateAsync({ id: user.id, changes });
    } catch {
      // the toast shows the failure
    } finally {
      setBusy(null);
    }
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    setBusy(deleting.id);
    try {
      await deleteUser.mutateAsync(deleting.id);
      toast("User deleted.", "success");
      setDeleting(null);
    } catch {
      // the toast shows the failure
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <PageHeader title="Users" />
      <Card>
        <div className="mb-3 max-w-sm">
          <TextField
            label="Search by e-mail or name"
            type="search"
            value={q}
            onChange={(event) => {
              setQ(event.target.value);
              setPage(1);
            }}
          />
        </div>
        {users.isError ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : !users.data ? (
          <Spinner label="Loading users" />
        ) : users.data.items.length === 0 ? (
          <EmptyState title="No users match" />
        ) : (
          <div className="relative -mx-4 overflow-x-auto px-4">
            <table className="w-full min-w-[36rem] text-left text-sm">
              <caption className="sr-only">Users</caption>
              <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-700 dark:text-slate-300">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    User
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Role
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((user) => (
                  <tr key={user.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                    <td className="px-3 py-2">
                      <p className="font-medium">{user.name}</p>
                      <p className="text-slate-500 dark:text-slate-400">{user.email}</p>
                    </td>
                    <td className="px-3 py-2">
                      <label className="sr-only" htmlFor={`role-${user.id}`}>
                        Role of {user.email}
                      </label>
                      <select
                        id={`role-${user.id}`}
                        className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800"
                        value={user.role}
                        disabled={user.id === me.id || busy === user.id}
                        onChange={(event) => change(user, { role: event.target.value as "user" | "admin" })}
                      >
                        <option value="user">User</option>
                        <option value="admin">Admin</option>
                      </select>
                    </td>
                    <td className="px-3 py-2">
                      {user.is_active ? "Active" : "Deactivated"}
                      {!user.email_verified && " · unverified"}
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 text-right">
                      <Button
                        variant="ghost"
                        disabled={user.id === me.id}
                        busy={busy === user.id}
                        onClick={() => change(user, { is_active: !user.is_active })}
                      >
                        {user.is_active ? "Deactivate" : "Activate"}
                      </Button>
                      <Button
                        variant="ghost"
                        className="text-red-600 dark:text-red-400"
                        disabled={user.id === me.id}
                        aria-label={`Delete ${user.email}`}
                        onClick={() => setDeleting(user)}
                      >
                        Delete
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination page={users.data.page} pages={users.data.pages} total={users.data.total} onPage={setPage} />
          </div>
        )}
      </Card>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this user?"
        message={deleting && `${deleting.email} and all their data will be deleted.`}
        busy={busy === deleting?.id}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
