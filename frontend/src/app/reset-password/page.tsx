import type { Metadata } from "next";
import { Suspense } from "react";

import { AuthFrame } from "@/components/app-shell";
import { Spinner } from "@/components/ui/states";
import { ResetPasswordForm } from "@/features/auth/components/reset-password-form";

export const metadata: Metadata = { title: "Choose a new password" };

export default function Page() {
  return (
    <AuthFrame title="Choose a new password">
      <Suspense fallback={<Spinner />}>
        <ResetPasswordForm />
      </Suspense>
    </AuthFrame>
  );
}
