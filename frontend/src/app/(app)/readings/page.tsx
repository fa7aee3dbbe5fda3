import type { Metadata } from "next";

import { ReadingsPage } from "@/features/readings/components/readings-page";

export const metadata: Metadata = { title: "Readings" };

export default function Page() {
  return <ReadingsPage />;
}
