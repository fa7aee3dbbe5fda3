"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";

/** Copies ``text`` to the clipboard and says so on the button. */
export function CopyButton({ text, label = "Copy", copiedLabel = "Copied" }: { text: string; label?: string; copiedLabel?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      // No clipboard (an insecure origin, a refused permission): the text stays selectable.
      setState("failed");
    }
  };
  return (
    <Button variant="secondary" onClick={copy}>
      <span aria-live="polite">{state === "copied" ? copiedLabel : state === "failed" ? "Copy failed: select the text" : label}</span>
    </Button>
  );
}
