import type { Metadata } from "next";
import { Suspense } from "react";

import { AuthFrame } from "@/components/app-shell";
import { Spinner } from "@/components/ui/states";
import { LoginForm } from "@/features/auth/components/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default function Page() {
  return (
    <AuthFrame title="Sign in">
      <Suspense fallback={<Spinner />}>
        <LoginForm />
      </Suspense>
    </AuthFrame>
  );
}
