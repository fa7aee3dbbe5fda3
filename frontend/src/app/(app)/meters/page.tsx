import type { Metadata } from "next";

import { MetersPage } from "@/features/meters/components/meters-page";

export const metadata: Metadata = { title: "Meters" };

export default function Page() {
  return <MetersPage />;
}
