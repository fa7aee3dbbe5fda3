"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/field";
import { Card, PageHeader } from "@/components/ui/states";
import { useAcceptInvitation, type Household } from "@/features/households/api/households";
import { ApiError } from "@/lib/api-client";
import { useHousehold } from "@/lib/household";

/**
 * `/invitations/accept?token=…`, behind sign-in (signed out, the shell sends the visitor to
 * `/login?next=…` and back here). Joining is a click, not a page load: the token is single use.
 */
export function AcceptInvitation() {
  const token = useSearchParams().get("token");
  const accept = useAcceptInvitation();
  const { select } = useHousehold();
  const [joined, setJoined] = useState<Household | null>(null);
  const [error, setError] = useState<string>(token ? "" : "This link has no token. Open the link from the e-mail again.");

  const join = async () => {
    if (!token) return;
    setError("");
    try {
      const household = await accept.mutateAsync(token);
      setJoined(household);
      // The household joined becomes the one on screen.
      select(household.id);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Something went wrong.");
    }
  };

  return (
    <>
      <PageHeader title="Invitation" />
      <Card>
        {joined ? (
          <div role="status" className="space-y-3 text-sm">
            <p>You joined {joined.name}.</p>
            <Link href="/dashboard" className="text-indigo-600 underline dark:text-indigo-400">
              Open its dashboard
            </Link>
          </div>
        ) : (
          <div className="space-y-3 text-sm">
            <FormError message={error} />
            <p>You were invited to share a household&apos;s meters. Join it to see them here.</p>
            <Button onClick={join} busy={accept.isPending} disabled={!token}>
              Join household
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}
