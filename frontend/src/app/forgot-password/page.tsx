import type { Metadata } from "next";
import { Suspense } from "react";

import { AuthFrame } from "@/components/app-shell";
import { Spinner } from "@/components/ui/states";
import { ForgotPasswordForm } from "@/features/auth/components/forgot-password-form";

export const metadata: Metadata = { title: "Forgot your password" };

export default function Page() {
  return (
    <AuthFrame title="Forgot your password">
      <Suspense fallback={<Spinner />}>
        <ForgotPasswordForm />
      </Suspense>
    </AuthFrame>
  );
}
