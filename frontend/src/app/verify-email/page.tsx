import type { Metadata } from "next";
import { Suspense } from "react";

import { AuthFrame } from "@/components/app-shell";
import { Spinner } from "@/components/ui/states";
import { VerifyEmail } from "@/features/auth/components/verify-email";

export const metadata: Metadata = { title: "Confirm your e-mail" };

export default function Page() {
  return (
    <AuthFrame title="Confirm your e-mail">
      <Suspense fallback={<Spinner />}>
        <VerifyEmail />
      </Suspense>
    </AuthFrame>
  );
}
