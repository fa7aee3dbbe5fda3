"use client";

import { Button } from "@/components/ui/button";
import { downloadBlob } from "@/lib/format";

import { CopyButton } from "./copy-button";

/** The text of the downloaded file: one code a line, after a few words on what they are. */
export function recoveryCodesText(codes: string[], email: string): string {
  return [
    `Meterbook recovery codes for ${email}`,
    "Each code signs you in once when you cannot use your authenticator app.",
    "",
    ...codes,
    "",
  ].join("\n");
}

/** The recovery codes, shown once: the API keeps only their hashes. */
export function RecoveryCodesPanel({ codes, email, onDone }: { codes: string[]; email: string; onDone(): void }) {
  return (
    <div
      role="status"
      className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50"
    >
      <p className="font-medium">
        Save these recovery codes now: they are shown only once. Each one signs you in once if you lose your authenticator app.
      </p>
      <ol
        data-testid="recovery-codes"
        aria-label="Recovery codes"
        className="grid grid-cols-1 gap-1 rounded-md bg-white p-3 font-mono text-sm text-slate-900 sm:grid-cols-2 dark:bg-slate-900 dark:text-slate-100"
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <CopyButton text={codes.join("\n")} label="Copy the codes" />
        <Button
          variant="secondary"
          onClick={() => downloadBlob(new Blob([recoveryCodesText(codes, email)], { type: "text/plain" }), "meterbook-recovery-codes.txt")}
        >
          Download (.txt)
        </Button>
        <Button onClick={onDone}>I have saved them</Button>
      </div>
    </div>
  );
}
