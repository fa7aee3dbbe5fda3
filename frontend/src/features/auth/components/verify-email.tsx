"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import { Spinner } from "@/components/ui/states";
import { verifyEmail } from "@/features/auth/api/auth-requests";
import type { ApiError } from "@/lib/api-client";

export function VerifyEmail() {
  const token = useSearchParams().get("token");
  const [state, setState] = useState<"working" | "done" | "failed">(token ? "working" : "failed");
  const [message, setMessage] = useState(token ? "" : "This link has no token. Open the link from the e-mail again.");
  const sent = useRef(false);

  useEffect(() => {
    // The token is single-use: send it once even when effects run twice.
    if (!token || sent.current) return;
    sent.current = true;
    verifyEmail(token)
      .then(() => setState("done"))
      .catch((error: ApiError) => {
        setMessage(error.message);
        setState("failed");
      });
  }, [token]);

  if (state === "working") return <Spinner label="Confirming your e-mail address" />;
  return (
    <div className="space-y-3 text-sm" role={state === "failed" ? "alert" : "status"}>
      {state === "done" ? <p>Your e-mail address is confirmed.</p> : <p>We could not confirm this address: {message}</p>}
      <Link className="text-indigo-600 underline dark:text-indigo-400" href={state === "done" ? "/login?verified=1" : "/login"}>
        {state === "done" ? "Sign in" : "Back to sign in"}
      </Link>
    </div>
  );
}
