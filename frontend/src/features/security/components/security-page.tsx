"use client";

import Link from "next/link";

import { PageHeader } from "@/components/ui/states";

import { AuditCard } from "./audit-card";
import { TokensCard } from "./tokens-card";
import { TwoFactorCard } from "./two-factor-card";

/** `/settings/security`: two-factor sign-in, access tokens for scripts, and the account's activity. */
export function SecurityPage() {
  return (
    <>
      <PageHeader
        title="Security"
        actions={
          <Link className="text-sm text-indigo-700 underline dark:text-indigo-300" href="/settings">
            Back to settings
          </Link>
        }
      />
      <div className="space-y-4">
        <TwoFactorCard />
        <TokensCard />
        <AuditCard />
      </div>
    </>
  );
}
