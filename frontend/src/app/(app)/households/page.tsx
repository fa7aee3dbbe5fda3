import type { Metadata } from "next";

import { HouseholdsPage } from "@/features/households/components/households-page";

export const metadata: Metadata = { title: "Households" };

export default function Page() {
  return <HouseholdsPage />;
}
