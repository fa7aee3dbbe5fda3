import type { Metadata } from "next";

import { UsersPage } from "@/features/admin/components/users-page";

export const metadata: Metadata = { title: "Users" };

export default function Page() {
  return <UsersPage />;
}
