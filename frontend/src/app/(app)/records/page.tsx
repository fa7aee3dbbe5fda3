import type { Metadata } from "next";

import { RecordsPage } from "@/features/records/components/records-page";

export const metadata: Metadata = { title: "Records" };

export default function Page() {
  return <RecordsPage />;
}
