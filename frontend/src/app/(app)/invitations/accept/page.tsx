import type { Metadata } from "next";
import { Suspense } from "react";

import { Spinner } from "@/components/ui/states";
import { AcceptInvitation } from "@/features/households/components/accept-invitation";

export const metadata: Metadata = { title: "Invitation" };

export default function Page() {
  return (
    <Suspense fallback={<Spinner />}>
      <AcceptInvitation />
    </Suspense>
  );
}
