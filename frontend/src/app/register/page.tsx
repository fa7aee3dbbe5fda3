import type { Metadata } from "next";
import { Suspense } from "react";

import { AuthFrame } from "@/components/app-shell";
import { Spinner } from "@/components/ui/states";
import { RegisterForm } from "@/features/auth/components/register-form";

export const metadata: Metadata = { title: "Create your account" };

export default function Page() {
  return (
    <AuthFrame title="Create your account">
      <Suspense fallback={<Spinner />}>
        <RegisterForm />
      </Suspense>
    </AuthFrame>
  );
}
