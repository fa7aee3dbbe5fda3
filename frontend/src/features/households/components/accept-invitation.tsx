"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/field";
import { Card, PageHeader } from "@/components/ui/states";
import { useToast } from "@/components/ui/toast";
import { useAcceptInvitation } from "@/features/households/api/households";
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
  const router = useRouter();
  const toast = useToast();
  const [error, setError] = useState<string>(token ? "" : "This link has no token. Open the link from the e-mail again.");

  const join = async () => {
    if (!token) return;
    setError("");
    try {
      const household = await accept.mutateAsync(token);
      // The household joined becomes the one on screen (switching remounts the page: say it in a toast).
      select(household.id);
      toast(`You joined ${household.name}.`, "success");
      router.replace("/dashboard");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Something went wrong.");
    }
  };

  return (
    <>
      <PageHeader title="Invitation" />
      <Card>
        <div className="space-y-3 text-sm">
          <FormError message={error} />
          <p>You were invited to share a household&apos;s meters. Join it to see them here.</p>
          <Button onClick={join} busy={accept.isPending} disabled={!token}>
            Join household
          </Button>
        </div>
      </Card>
    </>
  );
}
